-- Takes back one counted request from each counter in KEYS (never below zero; a counter
-- that expired meanwhile stays gone).
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 and redis.call('HINCRBY', key, 'count', -1) < 0 then
    redis.call('HSET', key, 'count', 0)
  end
end
return 0
