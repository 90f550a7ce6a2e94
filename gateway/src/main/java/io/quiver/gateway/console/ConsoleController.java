package io.quiver.gateway.console;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.member.Scopes;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The way in: the sign-in page (with what went wrong in a sign-in with an organisation),
 * the start page, and the tenant switcher.
 */
@Controller
class ConsoleController {

	private final ConsoleTenants tenants;

	ConsoleController(ConsoleTenants tenants) {
		this.tenants = tenants;
	}

	@GetMapping("/console/sign-in")
	String signIn(@RequestParam(name = "sso-error", required = false) String ssoError, Model model) {
		ConsoleSignInFailure.ofReason(ssoError)
			.ifPresent((failure) -> model.addAttribute("ssoError", failure.message()));
		return "console/sign-in";
	}

	/**
	 * The first page the signed-in person may open: the overview for those who read the
	 * audit trail or the usage it is built from, else the playground, else the members
	 * list every member of the tenant may read.
	 */
	@GetMapping({ "/console", "/console/" })
	String home(@AuthenticationPrincipal Caller caller) {
		String tenant = "redirect:/console/t/" + caller.tenant();
		if (caller.hasScope(Scopes.AUDIT_READ) || caller.hasScope(Scopes.USAGE_READ)) {
			return tenant;
		}
		return tenant + (caller.hasScope(ApiKeyService.INFERENCE) ? "/playground" : "/members");
	}

	@GetMapping("/console/switch")
	String switchTenant(@AuthenticationPrincipal Caller caller, @RequestParam String tenant) {
		return "redirect:/console/t/"
				+ this.tenants.open(caller, tenant, Scopes.AUDIT_READ, Scopes.USAGE_READ).getSlug();
	}

}
