package io.quiver.gateway.console;

import java.time.Instant;

import io.quiver.gateway.security.Caller;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * A tenant's last day at a glance: requests, errors, latency, busiest hours and models.
 */
@Controller
class ConsoleOverviewController {

	private final ConsoleTenants tenants;

	private final ConsoleOverviewQueries overview;

	ConsoleOverviewController(ConsoleTenants tenants, ConsoleOverviewQueries overview) {
		this.tenants = tenants;
		this.overview = overview;
	}

	@GetMapping("/console/t/{tenantSlug}")
	String overview(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant, Model model) {
		model.addAttribute("tenant", this.tenants.open(caller, tenant, "audit:read"));
		model.addAttribute("overview", this.overview.lastDay(tenant, Instant.now()));
		model.addAttribute("page", "overview");
		return "console/overview";
	}

}
