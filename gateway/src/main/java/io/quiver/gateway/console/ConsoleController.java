package io.quiver.gateway.console;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.member.Scopes;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The way in: the sign-in page, the start page, and the tenant switcher.
 */
@Controller
class ConsoleController {

	private final ConsoleTenants tenants;

	ConsoleController(ConsoleTenants tenants) {
		this.tenants = tenants;
	}

	@GetMapping("/console/sign-in")
	String signIn() {
		return "console/sign-in";
	}

	@GetMapping({ "/console", "/console/" })
	String home(@AuthenticationPrincipal Caller caller) {
		return "redirect:/console/t/" + caller.tenant();
	}

	@GetMapping("/console/switch")
	String switchTenant(@AuthenticationPrincipal Caller caller, @RequestParam String tenant) {
		return "redirect:/console/t/"
				+ this.tenants.open(caller, tenant, Scopes.AUDIT_READ, Scopes.USAGE_READ).getSlug();
	}

}
