-- Forgets drawing or mail jobs that finished before a cut-off: their data, their metadata
-- and their place in the queue's set of done jobs. Jobs that failed or wait for a retry
-- are not touched.
-- KEYS[1]: the queue's done set, KEYS[2]: its data hash, KEYS[3]: its metadata prefix
-- ARGV[1]: the cut-off (Unix seconds), ARGV[2..]: ids taken from the done set
local cutoff = tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
    local id = ARGV[i]
    local meta = KEYS[3] .. ':' .. id
    local done_at = tonumber(redis.call('HGET', meta, 'done_at'))
    if done_at == nil or done_at <= cutoff then
        redis.call('HDEL', KEYS[2], id)
        redis.call('HDEL', KEYS[3] .. ':result', id)
        redis.call('DEL', meta)
        redis.call('SREM', KEYS[1], id)
        removed = removed + 1
    end
end
return removed
