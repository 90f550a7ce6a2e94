package io.quiver.gateway.console;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.usage.UsageRepository;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * A tenant's last day at a glance: requests, errors, latency, busiest hours and models
 * from the audit trail, tokens from the usage meter. Auditors and anyone who may read
 * usage see it.
 */
@Controller
class ConsoleOverviewController {

	private final ConsoleTenants tenants;

	private final ConsoleOverviewQueries overview;

	private final UsageRepository usage;

	ConsoleOverviewController(ConsoleTenants tenants, ConsoleOverviewQueries overview, UsageRepository usage) {
		this.tenants = tenants;
		this.overview = overview;
		this.usage = usage;
	}

	@GetMapping("/console/t/{tenantSlug}")
	String overview(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.AUDIT_READ, Scopes.USAGE_READ);
		Instant now = Instant.now();
		// The same 24 whole hours the chart shows.
		Instant since = now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS).minus(24, ChronoUnit.HOURS);
		model.addAttribute("tenant", owner);
		model.addAttribute("overview", this.overview.lastDay(tenant, now));
		model.addAttribute("tokens", this.usage.tokensSince(owner.getId(), since));
		model.addAttribute("page", "overview");
		return "console/overview";
	}

}
