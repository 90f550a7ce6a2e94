package io.quiver.gateway.console;

import java.util.Locale;
import java.util.Optional;

import io.quiver.gateway.security.AuthenticationFailed;
import io.quiver.tenancy.identityprovider.IdentityProvider;
import io.quiver.tenancy.identityprovider.IdentityProviderService;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Starts a sign-in with an organisation's own identity provider: the person names the
 * organisation (its tenant's slug), and the console sends the browser to that tenant's
 * registered provider, with an authorization code request carrying PKCE (S256), a state
 * and a nonce. {@link ConsoleOidcCallbackFilter} finishes it.
 *
 * <p>
 * Both steps leave the console through a page rather than a redirect: the console's
 * content security policy allows forms to submit only to the console itself, which
 * browsers apply to a form's redirects too; and the session cookie is strict, which
 * browsers withhold from every hop of a redirect chain that began on another site, such
 * as the provider's redirect back.
 */
@Controller
class ConsoleOidcController {

	private final TenantService tenants;

	private final IdentityProviderService providers;

	private final ConsoleSignIns signIns;

	private final ConsoleOidcClient client;

	private final ApplicationEventPublisher events;

	ConsoleOidcController(TenantService tenants, IdentityProviderService providers, ConsoleSignIns signIns,
			ConsoleOidcClient client, ApplicationEventPublisher events) {
		this.tenants = tenants;
		this.providers = providers;
		this.signIns = signIns;
		this.client = client;
		this.events = events;
	}

	@PostMapping("/console/sign-in/oidc")
	String start(@RequestParam(defaultValue = "") String organisation, HttpServletRequest request,
			HttpServletResponse response, Model model) {
		Optional<Tenant> tenant = this.tenants.findBySlug(organisation.trim().toLowerCase(Locale.ROOT))
			.filter(Tenant::isActive);
		Optional<IdentityProvider> provider = tenant.flatMap((found) -> this.providers.list(found)
			.stream()
			.filter((candidate) -> candidate.getConsoleClientId() != null)
			.findFirst());
		if (provider.isEmpty()) {
			return refused(request, ConsoleSignInFailure.UNKNOWN_ORGANISATION);
		}
		ConsoleOidcClient.Endpoints endpoints;
		try {
			endpoints = this.client.discover(provider.get().getIssuer());
		}
		catch (ConsoleOidcClient.IdentityProviderException ex) {
			return refused(request, ConsoleSignInFailure.IDP_UNAVAILABLE);
		}
		String redirectUri = ServletUriComponentsBuilder.fromContextPath(request)
			.path(ConsoleOidcCallbackFilter.PATH)
			.build()
			.toUriString();
		ConsoleSignIns.Pending pending = this.signIns.begin(new ConsoleSignIns.Target(tenant.get().getId(),
				provider.get().getIssuer(), provider.get().getConsoleClientId(),
				provider.get().getConsoleClientSecretRef(), endpoints.token(), redirectUri));
		response.addHeader(HttpHeaders.SET_COOKIE, this.signIns.bindingCookie(pending.binding()));
		String authorization = UriComponentsBuilder.fromUriString(endpoints.authorization())
			.queryParam("response_type", "code")
			.queryParam("client_id", pending.target().clientId())
			.queryParam("redirect_uri", redirectUri)
			.queryParam("scope", "openid profile email")
			.queryParam("state", pending.state())
			.queryParam("nonce", pending.nonce())
			.queryParam("code_challenge", ConsoleSignIns.challenge(pending.verifier()))
			.queryParam("code_challenge_method", "S256")
			.encode()
			.build()
			.toUriString();
		model.addAttribute("organisation", tenant.get().getDisplayName());
		model.addAttribute("authorizationUrl", authorization);
		return "console/sign-in-redirect";
	}

	/**
	 * Where a completed sign-in lands: a page of the console's own, whose onward
	 * navigation to the console starts on this site and so carries the strict session
	 * cookie.
	 */
	@GetMapping("/console/signed-in")
	String signedIn() {
		return "console/signed-in";
	}

	private String refused(HttpServletRequest request, ConsoleSignInFailure failure) {
		this.events.publishEvent(new AuthenticationFailed(ConsoleSecurityConfiguration.OIDC, failure.reason(),
				request.getRemoteAddr(), request.getRequestURI()));
		return "redirect:/console/sign-in?sso-error=" + failure.reason();
	}

}
