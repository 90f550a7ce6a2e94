package io.quiver.gateway.limits;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Counters in Redis, shared by every gateway replica. Check and charge run as one Lua
 * script, so concurrent requests on different replicas can never both take the last unit.
 * Counter keys carry the tenant as a hash tag, so one call's keys live in one slot of a
 * Redis Cluster.
 *
 * <p>
 * When Redis fails, limits degrade to this replica's own counters rather than failing
 * open (no limits) or closed (no service): a tenant gets at most its limit per replica
 * until Redis answers again.
 */
public final class RedisRateLimiter implements RateLimiter {

	private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

	/**
	 * KEYS: the counters. ARGV: limit, amount and ttl (seconds) per counter. Returns the
	 * 1-based index of the first counter without room (0 when all were charged), followed
	 * by each counter's value.
	 */
	private static final RedisScript<List> ACQUIRE = new DefaultRedisScript<>("""
			local n = #KEYS
			local values = {}
			for i = 1, n do
			  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
			  values[i] = used
			  local amount = tonumber(ARGV[3 * i - 1])
			  if amount > 0 and used + amount > tonumber(ARGV[3 * i - 2]) then
			    local refused = {i}
			    for j = 1, n do refused[j + 1] = values[j] or 0 end
			    return refused
			  end
			end
			local result = {0}
			for i = 1, n do
			  result[i + 1] = redis.call('INCRBY', KEYS[i], ARGV[3 * i - 1])
			  redis.call('EXPIRE', KEYS[i], ARGV[3 * i])
			end
			return result
			""", List.class);

	/** KEYS: the counters. ARGV: an amount per counter. Leaves ended windows alone. */
	private static final RedisScript<Long> ADJUST = new DefaultRedisScript<>("""
			for i = 1, #KEYS do
			  if redis.call('EXISTS', KEYS[i]) == 1 then
			    local value = redis.call('INCRBY', KEYS[i], ARGV[i])
			    if value < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
			  end
			end
			return 0
			""", Long.class);

	private final StringRedisTemplate redis;

	private final RateLimiter fallback;

	private volatile boolean degraded;

	public RedisRateLimiter(StringRedisTemplate redis, RateLimiter fallback) {
		this.redis = redis;
		this.fallback = fallback;
	}

	@Override
	public Outcome acquire(List<Charge> charges) {
		List<String> keys = new ArrayList<>(charges.size());
		Object[] args = new Object[charges.size() * 3];
		for (int i = 0; i < charges.size(); i++) {
			Charge charge = charges.get(i);
			keys.add(charge.key());
			args[3 * i] = Long.toString(charge.limit());
			args[3 * i + 1] = Long.toString(charge.amount());
			args[3 * i + 2] = Long.toString(Math.max(1, charge.ttl().toSeconds()));
		}
		try {
			List<?> result = this.redis.execute(ACQUIRE, keys, args);
			recovered();
			long[] values = new long[charges.size()];
			for (int i = 0; i < values.length; i++) {
				values[i] = ((Number) result.get(i + 1)).longValue();
			}
			int refused = ((Number) result.get(0)).intValue() - 1;
			return new Outcome(refused, values);
		}
		catch (DataAccessException ex) {
			degrade(ex);
			return this.fallback.acquire(charges);
		}
	}

	@Override
	public void adjust(List<Charge> charges) {
		List<String> keys = charges.stream().map(Charge::key).toList();
		Object[] args = charges.stream().map((charge) -> Long.toString(charge.amount())).toArray();
		try {
			this.redis.execute(ADJUST, keys, args);
		}
		catch (DataAccessException ex) {
			degrade(ex);
			this.fallback.adjust(charges);
		}
	}

	private void degrade(DataAccessException ex) {
		if (!this.degraded) {
			this.degraded = true;
			log.warn("Redis is unavailable ({}); enforcing limits per replica until it answers again",
					ex.getClass().getSimpleName());
		}
	}

	private void recovered() {
		if (this.degraded) {
			this.degraded = false;
			log.info("Redis answers again; limits are shared across replicas once more");
		}
	}

}
