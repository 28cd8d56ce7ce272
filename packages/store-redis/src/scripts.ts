/**
 * The Lua scripts that make each Redis operation atomic: Redis runs a script to completion
 * before any other command, so a check and the write that follows it cannot be interleaved by
 * another instance. Loaded with ioredis `defineCommand` (EVALSHA, falling back to EVAL).
 *
 * Redis Cluster runs a script on one slot only. The pending scripts reach the user's records
 * through the user's index, so every pending key of a user carries the user's hash tag (see
 * `Keys`); the throttle and quota scripts touch one key each.
 */

/**
 * Writes the record with its TTL and indexes it under its user. The index is a sorted set of
 * record keys scored by when each record is due to go (its expiry plus the grace, on the
 * caller's clock). Every write first deletes the user's records due by the caller's now, with
 * their entries: the index holds only records within their lifetime plus grace, however many
 * steps the user abandons (an entry whose record a server-side TTL already removed goes with
 * the next write past its score, or with the index's own TTL, the longest of its records').
 * KEYS: record, user index. ARGV: userId, kind, record JSON, ttl ms, due time, caller's now.
 */
const WRITE_PENDING = `
for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])) do
  if redis.call('HGET', k, 'u') == ARGV[1] then
    redis.call('DEL', k)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'k', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], KEYS[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return 1
`;

/** Refuses an existing id (never overwrites it), then WRITE_PENDING. */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('FACTORKIT_PENDING_ID_COLLISION')
end
${WRITE_PENDING}`;

/** Like CREATE, but a record already there is left as it is (PendingStore.restore). */
export const RESTORE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
${WRITE_PENDING}`;

/**
 * CREATE with the owner key in the same script, for a standalone Redis (on a Cluster the owner
 * key, found by id alone, lives in another slot). KEYS: record, user index, owner. The owner is
 * set only if absent, as the separate SET NX does: an id another user's step holds is refused.
 */
export const CREATE_WITH_OWNER = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('FACTORKIT_PENDING_ID_COLLISION')
end
if not redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[4], 'NX') then
  return redis.error_reply('FACTORKIT_PENDING_ID_COLLISION')
end
${WRITE_PENDING}`;

/** RESTORE with the owner key (set unconditionally, as `restore` does), standalone only. */
export const RESTORE_WITH_OWNER = `
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
${WRITE_PENDING}`;

/**
 * KEYS: record, user index. ARGV: userId, kind. Checks user and kind, then deletes and returns
 * the record, in one step; a mismatch returns nil and leaves the record (DU-09).
 */
export const TAKE = `
local v = redis.call('HMGET', KEYS[1], 'u', 'k', 'r')
if not v[1] or v[1] ~= ARGV[1] or v[2] ~= ARGV[2] then
  return false
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return v[3]
`;

/**
 * KEYS: user index, then the records the caller read from it just before (declared, so that
 * during a slot migration Redis Cluster redirects or retries the call instead of running it on
 * a node that no longer holds some of them). ARGV: userId. Deletes the user's records named in
 * KEYS or listed in the index now (one created since the read); returns how many.
 */
export const DELETE_FOR_USER = `
local n = 0
local function drop(k)
  if redis.call('HGET', k, 'u') == ARGV[1] then
    n = n + redis.call('DEL', k)
  end
end
for i = 2, #KEYS do drop(KEYS[i]) end
for _, k in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do drop(k) end
redis.call('DEL', KEYS[1])
return n
`;

/**
 * The same for the layout before Redis Cluster support (standalone only). KEYS: the old
 * sorted-set index, the even older plain-set index. ARGV: userId.
 */
export const LEGACY_DELETE_FOR_USER = `
local n = 0
local function drop(k)
  if redis.call('HGET', k, 'u') == ARGV[1] then
    n = n + redis.call('DEL', k)
  end
end
for _, k in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do drop(k) end
for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do drop(k) end
redis.call('DEL', KEYS[1], KEYS[2])
return n
`;

/**
 * KEYS: throttle state. ARGV: now, freeFailures, baseDelayMs, maxDelayMs, lockAfter, lockMs,
 * permanentAfter. Core's applyReserve and throttleBlockMs, line for line (the parity test runs
 * both on random schedules). Numbers are Lua doubles: exact for integers up to 2^53, which
 * covers epoch milliseconds and the permanent-lock sentinel 2^53 - 1 (Number.MAX_SAFE_INTEGER);
 * they are written with %.0f because tostring would round them to 14 digits.
 * Returns {1, failures, previousBlockedUntil} or {0, failures, locked, retryAt or -1 for "never"}.
 */
export const RESERVE = `
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local maxDelay = tonumber(ARGV[4])
local lockAfter = tonumber(ARGV[5])
local lockMs = tonumber(ARGV[6])
local permanentAfter = tonumber(ARGV[7])
local s = redis.call('HMGET', KEYS[1], 'f', 'b')
local failures = tonumber(s[1]) or 0
local blockedUntil = tonumber(s[2]) or 0
if failures >= permanentAfter then
  return {0, failures, 1, -1}
end
if now < blockedUntil then
  local locked = 0
  if failures >= lockAfter then locked = 1 end
  return {0, failures, locked, string.format('%.0f', blockedUntil)}
end
failures = failures + 1
local permanent = false
local block = 0
if failures >= permanentAfter then
  permanent = true
elseif failures >= lockAfter then
  block = lockMs
elseif failures <= free then
  block = 0
else
  local exp = failures - free - 1
  if exp > 30 then exp = 30 end
  block = math.min(base * 2 ^ exp, maxDelay)
end
local nextBlocked
if permanent then
  nextBlocked = 9007199254740991
elseif block == 0 then
  nextBlocked = 0
else
  nextBlocked = now + block
end
redis.call('HSET', KEYS[1], 'f', string.format('%.0f', failures), 'b', string.format('%.0f', nextBlocked))
return {1, failures, string.format('%.0f', blockedUntil)}
`;

/**
 * KEYS: throttle state. ARGV: the ticket's failures and previous block. Core's applyRefund:
 * when no reservation came after the ticket's, back exactly to before it (block included);
 * otherwise one failure back and the newer block stays. Never below zero.
 */
export const REFUND = `
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
if not f or f <= 0 then
  return 0
end
if f == tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'f', string.format('%.0f', f - 1), 'b', ARGV[2])
else
  redis.call('HSET', KEYS[1], 'f', string.format('%.0f', f - 1))
end
return 1
`;

/**
 * KEYS: quota window. ARGV: now, limit, windowMs, ttl ms. Core's applyQuotaTake, line for line
 * (the parity test runs both on random histories), atomic because Redis runs a script to its
 * end before any other command. A new window's key expires after the window plus a margin:
 * once the window is over its state means nothing (the same as no key), so it must not stay.
 * Returns {1, used} or {0, retryAt}.
 */
export const TAKE_QUOTA = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'u', 'e')
local used = tonumber(s[1])
local endsAt = tonumber(s[2])
if not used or not endsAt or endsAt <= now then
  redis.call('HSET', KEYS[1], 'u', '1', 'e', string.format('%.0f', now + tonumber(ARGV[3])))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {1, 1}
end
if used < limit then
  return {1, redis.call('HINCRBY', KEYS[1], 'u', 1)}
end
return {0, string.format('%.0f', endsAt)}
`;
