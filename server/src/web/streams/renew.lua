-- Keeps a lease taken with take.lua for another length, if it has not lapsed.
-- KEYS[1]: the user's leases; ARGV[1]: the lease's id; ARGV[2]: its length (ms)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return renewed
