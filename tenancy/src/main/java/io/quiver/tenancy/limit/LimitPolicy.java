package io.quiver.tenancy.limit;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The stored limits of a tenant ({@code apiKeyId} null) or of one of its keys.
 */
@Entity
@Table(name = "limits")
public class LimitPolicy {

	@Id
	private UUID id;

	@Column(name = "tenant_id", nullable = false, updatable = false)
	private UUID tenantId;

	@Column(name = "api_key_id", updatable = false)
	private UUID apiKeyId;

	@Column(name = "requests_per_minute")
	private Integer requestsPerMinute;

	@Column(name = "tokens_per_minute")
	private Long tokensPerMinute;

	@Column(name = "concurrent_requests")
	private Integer concurrentRequests;

	@Column(name = "token_budget")
	private Long tokenBudget;

	@Column(name = "budget_period")
	private String budgetPeriod;

	@Column(name = "updated_at", nullable = false)
	private Instant updatedAt;

	@Column(name = "updated_by", nullable = false)
	private String updatedBy;

	protected LimitPolicy() {
	}

	LimitPolicy(UUID tenantId, UUID apiKeyId) {
		this.id = UUID.randomUUID();
		this.tenantId = tenantId;
		this.apiKeyId = apiKeyId;
	}

	void apply(Limits limits, Instant at, String by) {
		this.requestsPerMinute = limits.requestsPerMinute();
		this.tokensPerMinute = limits.tokensPerMinute();
		this.concurrentRequests = limits.concurrentRequests();
		this.tokenBudget = limits.tokenBudget();
		this.budgetPeriod = limits.budgetPeriod();
		this.updatedAt = at;
		this.updatedBy = by;
	}

	public UUID getTenantId() {
		return this.tenantId;
	}

	public UUID getApiKeyId() {
		return this.apiKeyId;
	}

	public Limits limits() {
		return new Limits(this.requestsPerMinute, this.tokensPerMinute, this.concurrentRequests, this.tokenBudget,
				this.budgetPeriod);
	}

}
