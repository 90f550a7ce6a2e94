package io.quiver.gateway.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.quiver.gateway.openai.OpenAiException;
import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.limit.Limits;
import io.quiver.tenancy.limit.LimitsChanged;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Admits a request against its tenant's and its key's limits, reserving an estimate of
 * its tokens, and settles the reservation with the real count afterwards. Answers 429 as
 * OpenAI does: {@code Retry-After} and {@code x-ratelimit-*} headers.
 */
@Component
public class LimitEnforcer {

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private final RateLimiter limiter;

	private final LimitService limits;

	private final LimitsProperties properties;

	private final ConcurrentHashMap<String, Cached> policies = new ConcurrentHashMap<>();

	LimitEnforcer(RateLimiter limiter, LimitService limits, LimitsProperties properties) {
		this.limiter = limiter;
		this.limits = limits;
		this.properties = properties;
	}

	/**
	 * @return tokens reserved for a completion that states no {@code max_tokens}
	 */
	public int completionEstimate() {
		return this.properties.completionEstimate();
	}

	/**
	 * @param caller who asks (its key's limits apply too when it used one)
	 * @param estimatedTokens prompt plus completion tokens to reserve
	 * @param response where the {@code x-ratelimit-*} headers go
	 * @return the reservation to {@link #settle}
	 * @throws OpenAiException 429 when a limit is reached
	 */
	public Admission admit(Caller caller, long estimatedTokens, HttpServletResponse response) {
		Instant now = Instant.now();
		List<Charge> charges = new ArrayList<>(8);
		String tag = "quiver:{t:" + caller.tenantId() + "}";
		add(charges, tag + ":tenant", policy(caller.tenantId(), null), estimatedTokens, now);
		if (caller.keyPublicId() != null) {
			add(charges, tag + ":key:" + caller.keyPublicId(), policy(caller.tenantId(), caller.keyPublicId()),
					estimatedTokens, now);
		}
		if (charges.isEmpty()) {
			return Admission.NONE;
		}
		List<RateLimiter.Charge> raw = charges.stream().map(Charge::charge).toList();
		RateLimiter.Outcome outcome = this.limiter.acquire(raw);
		long resetSeconds = 60 - (now.getEpochSecond() % 60);
		writeHeaders(response, charges, outcome, resetSeconds);
		if (!outcome.admitted()) {
			Charge refused = charges.get(outcome.refused());
			long retryAfter = switch (refused.kind()) {
				case CONCURRENT -> 1;
				case BUDGET -> secondsUntilPeriodEnd(now, refused.period());
				default -> resetSeconds;
			};
			response.setHeader("Retry-After", Long.toString(retryAfter));
			throw refusal(refused);
		}
		return new Admission(charges, estimatedTokens);
	}

	/**
	 * Replaces the reservation with what the request really used and frees its
	 * concurrency slot. Call exactly once per admitted request, also when it failed.
	 * @param admission what {@link #admit} returned
	 * @param actualTokens prompt plus completion tokens the worker counted (0 if none)
	 */
	public void settle(Admission admission, long actualTokens) {
		if (admission.charges().isEmpty()) {
			return;
		}
		long delta = actualTokens - admission.reservedTokens();
		List<RateLimiter.Charge> adjustments = new ArrayList<>();
		for (Charge charge : admission.charges()) {
			if (charge.kind() == Kind.CONCURRENT) {
				adjustments.add(charge.charge().withAmount(-1));
			}
			else if ((charge.kind() == Kind.TOKENS || charge.kind() == Kind.BUDGET) && delta != 0) {
				adjustments.add(charge.charge().withAmount(delta));
			}
		}
		if (!adjustments.isEmpty()) {
			this.limiter.adjust(adjustments);
		}
	}

	@TransactionalEventListener
	void onChanged(LimitsChanged changed) {
		this.policies.clear();
	}

	private Limits policy(UUID tenantId, String keyPublicId) {
		String id = (keyPublicId != null) ? "k:" + keyPublicId : "t:" + tenantId;
		long now = System.nanoTime();
		Cached cached = this.policies.get(id);
		if (cached != null && now - cached.loadedAt < this.properties.policyCacheTtl().toNanos()) {
			return cached.limits;
		}
		Limits loaded = (keyPublicId != null) ? this.limits.ofKeyPublicId(tenantId, keyPublicId)
				: this.limits.ofTenant(tenantId);
		this.policies.put(id, new Cached(loaded, now));
		return loaded;
	}

	private void add(List<Charge> charges, String prefix, Limits limits, long tokens, Instant now) {
		long minute = now.getEpochSecond() / 60;
		Duration toMinuteEnd = Duration.ofSeconds(60 - (now.getEpochSecond() % 60) + 1);
		if (limits.requestsPerMinute() != null) {
			charges.add(new Charge(Kind.REQUESTS, null,
					new RateLimiter.Charge(prefix + ":rpm:" + minute, limits.requestsPerMinute(), 1, toMinuteEnd)));
		}
		if (limits.tokensPerMinute() != null) {
			charges.add(new Charge(Kind.TOKENS, null,
					new RateLimiter.Charge(prefix + ":tpm:" + minute, limits.tokensPerMinute(), tokens, toMinuteEnd)));
		}
		if (limits.concurrentRequests() != null) {
			charges.add(new Charge(Kind.CONCURRENT, null, new RateLimiter.Charge(prefix + ":concurrent",
					limits.concurrentRequests(), 1, this.properties.concurrencyLease())));
		}
		if (limits.tokenBudget() != null) {
			String period = limits.budgetPeriod();
			LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
			String id = "day".equals(period) ? today.toString() : today.toString().substring(0, 7);
			Duration ttl = Duration.ofSeconds(secondsUntilPeriodEnd(now, period)).plus(Duration.ofDays(1));
			charges.add(new Charge(Kind.BUDGET, period,
					new RateLimiter.Charge(prefix + ":budget:" + id, limits.tokenBudget(), tokens, ttl)));
		}
	}

	private static long secondsUntilPeriodEnd(Instant now, String period) {
		LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
		LocalDate end = "day".equals(period) ? today.plusDays(1) : today.withDayOfMonth(1).plusMonths(1);
		return Math.max(1, end.atStartOfDay(ZoneOffset.UTC).toEpochSecond() - now.getEpochSecond());
	}

	/**
	 * OpenAI's headers describe the tightest request and token limits that apply.
	 */
	private static void writeHeaders(HttpServletResponse response, List<Charge> charges, RateLimiter.Outcome outcome,
			long resetSeconds) {
		long[] tightest = { -1, -1, -1, -1 };
		for (int i = 0; i < charges.size(); i++) {
			Charge charge = charges.get(i);
			int slot = (charge.kind() == Kind.REQUESTS) ? 0 : (charge.kind() == Kind.TOKENS) ? 2 : -1;
			if (slot < 0) {
				continue;
			}
			long remaining = Math.max(0, charge.charge().limit() - outcome.values()[i]);
			if (tightest[slot] < 0 || remaining < tightest[slot + 1]) {
				tightest[slot] = charge.charge().limit();
				tightest[slot + 1] = remaining;
			}
		}
		String reset = resetSeconds + "s";
		if (tightest[0] >= 0) {
			response.setHeader("x-ratelimit-limit-requests", Long.toString(tightest[0]));
			response.setHeader("x-ratelimit-remaining-requests", Long.toString(tightest[1]));
			response.setHeader("x-ratelimit-reset-requests", reset);
		}
		if (tightest[2] >= 0) {
			response.setHeader("x-ratelimit-limit-tokens", Long.toString(tightest[2]));
			response.setHeader("x-ratelimit-remaining-tokens", Long.toString(tightest[3]));
			response.setHeader("x-ratelimit-reset-tokens", reset);
		}
	}

	private static OpenAiException refusal(Charge refused) {
		return switch (refused.kind()) {
			case REQUESTS -> new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error",
					"rate_limit_exceeded", null, "Rate limit reached for requests per minute. Retry after the time"
							+ " given in the Retry-After header.");
			case TOKENS -> new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "rate_limit_exceeded",
					null,
					"Rate limit reached for tokens per minute. Retry after the time given in the Retry-After header.");
			case CONCURRENT -> new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error",
					"concurrency_limit_exceeded", null, "Too many concurrent requests. Retry shortly.");
			case BUDGET -> new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "insufficient_quota", "insufficient_quota",
					null, "You exceeded your token budget for this " + refused.period() + ".");
		};
	}

	/**
	 * What an admitted request holds until it is settled.
	 *
	 * @param charges the counters it was charged on
	 * @param reservedTokens the tokens reserved
	 */
	public record Admission(List<Charge> charges, long reservedTokens) {

		static final Admission NONE = new Admission(List.of(), 0);

	}

	enum Kind {

		REQUESTS, TOKENS, CONCURRENT, BUDGET

	}

	/**
	 * One counter a request is charged on, and what kind of limit it is.
	 *
	 * @param kind the kind
	 * @param period for budgets, {@code day} or {@code month}
	 * @param charge the counter
	 */
	record Charge(Kind kind, String period, RateLimiter.Charge charge) {
	}

	private record Cached(Limits limits, long loadedAt) {
	}

}
