package io.quiver.tenancy.limit;

/**
 * Limits of a tenant or a key; {@code null} means unlimited.
 *
 * @param requestsPerMinute requests admitted per minute
 * @param tokensPerMinute prompt plus completion tokens per minute
 * @param concurrentRequests requests in flight at once
 * @param tokenBudget prompt plus completion tokens per {@code budgetPeriod}
 * @param budgetPeriod {@code day} or {@code month} (UTC)
 */
public record Limits(Integer requestsPerMinute, Long tokensPerMinute, Integer concurrentRequests, Long tokenBudget,
		String budgetPeriod) {

	/** No limits at all. */
	public static final Limits NONE = new Limits(null, null, null, null, null);

	public Limits {
		if (negative(requestsPerMinute) || negative(tokensPerMinute) || negative(concurrentRequests)
				|| negative(tokenBudget)) {
			throw new IllegalArgumentException("Limits cannot be negative");
		}
		if (tokenBudget != null && budgetPeriod == null) {
			budgetPeriod = "month";
		}
		if (budgetPeriod != null && !budgetPeriod.equals("day") && !budgetPeriod.equals("month")) {
			throw new IllegalArgumentException("'budgetPeriod' must be day or month");
		}
	}

	private static boolean negative(Number value) {
		return value != null && value.longValue() < 0;
	}

}
