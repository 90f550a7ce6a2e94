package io.quiver.gateway.console;

import io.quiver.gateway.security.Caller;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * What every console page shows around its content (who is signed in, the tenant
 * switcher), and the console's own not-found page. Ordered first, so that the gateway's
 * catch-all API error handler never answers a console page with JSON.
 */
@ControllerAdvice(basePackageClasses = ConsoleModelAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleModelAdvice {

	private final ConsoleTenants tenants;

	ConsoleModelAdvice(ConsoleTenants tenants) {
		this.tenants = tenants;
	}

	@ModelAttribute
	void frame(@AuthenticationPrincipal Caller caller, Model model) {
		if (caller != null) {
			model.addAttribute("caller", caller);
			model.addAttribute("platformAdmin", caller.hasScope(ConsoleRole.PLATFORM));
			model.addAttribute("switchable", this.tenants.switchable(caller));
		}
	}

	@ExceptionHandler(ConsoleNotFoundException.class)
	@ResponseStatus(HttpStatus.NOT_FOUND)
	String notFound() {
		return "console/not-found";
	}

}
