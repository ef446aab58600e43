-- Counts one request against every counter in KEYS, all or none (the throttle's `take`,
-- as the in-memory counters do it). ARGV: per key, four numbers: allowed, first block,
-- longest block and window, in milliseconds. Each counter is a hash {count, start, until,
-- blocks} that expires once its window and longest block are over.
-- Returns 0 when counted, else how many milliseconds to wait.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local base = (i - 1) * 4
  local allowed = tonumber(ARGV[base + 1])
  local first_block = tonumber(ARGV[base + 2])
  local longest_block = tonumber(ARGV[base + 3])
  local window = tonumber(ARGV[base + 4])
  local entry = redis.call('HMGET', key, 'count', 'start', 'until', 'blocks')
  local count = tonumber(entry[1]) or 0
  local start = tonumber(entry[2]) or now
  local blocked_until = tonumber(entry[3]) or 0
  local blocks = tonumber(entry[4]) or 0
  if now - start >= window and blocked_until <= now then
    count, start, blocked_until, blocks = 0, now, 0, 0
  end
  if blocked_until > now then
    wait = math.max(wait, blocked_until - now)
  elseif count >= allowed then
    local block = math.min(first_block * (2 ^ math.min(blocks, 16)), longest_block)
    blocked_until, blocks, count, start = now + block, blocks + 1, 0, now
    wait = math.max(wait, block)
  end
  redis.call('HSET', key, 'count', count, 'start', start, 'until', blocked_until, 'blocks', blocks)
  redis.call('PEXPIRE', key, window + longest_block)
end
if wait > 0 then
  return wait
end
for _, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'count', 1)
end
return 0
