-- Takes one of a user's stream slots, unless they hold the most already.
-- KEYS[1]: the user's leases, a sorted set of lease id -> when it lapses (ms, Redis's clock)
-- ARGV[1]: the most a user may hold; ARGV[2]: the new lease's id; ARGV[3]: its length (ms)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
