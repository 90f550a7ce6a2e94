package io.quiver.gateway.console;

import io.quiver.gateway.security.Caller;
import io.quiver.gateway.security.JwtAuthenticator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.AbstractAuthenticationProcessingFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Where an organisation's identity provider sends the browser back: the {@code state}
 * must name a sign-in this browser started (and is then spent), the code is redeemed with
 * that sign-in's PKCE verifier, and the ID token must pass the gateway's JWT verifier for
 * the registered issuer, the console's client and the sign-in's nonce. The person's roles
 * come from the same claim mapping and memberships as API callers'; someone with none is
 * refused. Success and failure are handled like password sign-ins (session id changed,
 * CSRF token renewed, audited).
 */
final class ConsoleOidcCallbackFilter extends AbstractAuthenticationProcessingFilter {

	static final String PATH = "/console/sign-in/oidc/callback";

	private static final Logger log = LoggerFactory.getLogger(ConsoleOidcCallbackFilter.class);

	private final ConsoleSignIns signIns;

	private final ConsoleOidcClient client;

	private final JwtAuthenticator tokens;

	ConsoleOidcCallbackFilter(ConsoleSignIns signIns, ConsoleOidcClient client, JwtAuthenticator tokens) {
		super(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, PATH));
		this.signIns = signIns;
		this.client = client;
		this.tokens = tokens;
	}

	@Override
	public Authentication attemptAuthentication(HttpServletRequest request, HttpServletResponse response) {
		// The binding cookie has done its work whatever happens next.
		response.addHeader(HttpHeaders.SET_COOKIE, this.signIns.bindingCookie(""));
		ConsoleSignIns.Pending pending = this.signIns
			.complete(request.getParameter("state"), ConsoleSignIns.bindingOf(request))
			.orElseThrow(() -> new ConsoleSignInRefusedException(ConsoleSignInFailure.INVALID_STATE));
		String code = request.getParameter("code");
		if (request.getParameter("error") != null || code == null || code.isBlank()) {
			throw new ConsoleSignInRefusedException(ConsoleSignInFailure.IDP_REFUSED);
		}
		String idToken;
		try {
			idToken = this.client.redeem(pending, code);
		}
		catch (ConsoleOidcClient.MisconfiguredException ex) {
			log.warn("Console sign-in with issuer {} refused: {}", pending.target().issuer(), ex.getMessage());
			throw new ConsoleSignInRefusedException(ConsoleSignInFailure.IDP_MISCONFIGURED);
		}
		catch (ConsoleOidcClient.IdentityProviderException ex) {
			log.warn("Console sign-in with issuer {} failed: {}", pending.target().issuer(), ex.getMessage());
			throw new ConsoleSignInRefusedException(ConsoleSignInFailure.IDP_UNAVAILABLE);
		}
		Caller caller = this.tokens
			.authenticateIdToken(idToken, pending.target().issuer(), pending.target().clientId(), pending.nonce())
			// The issuer → tenant map decides the tenant; it must be the one chosen.
			.filter((verified) -> verified.tenantId().equals(pending.target().tenantId()))
			.orElseThrow(() -> new ConsoleSignInRefusedException(ConsoleSignInFailure.INVALID_ID_TOKEN));
		if (caller.scopes().isEmpty()) {
			throw new ConsoleSignInRefusedException(ConsoleSignInFailure.NO_ROLE);
		}
		return UsernamePasswordAuthenticationToken.authenticated(caller, null,
				caller.scopes().stream().map((scope) -> new SimpleGrantedAuthority("SCOPE_" + scope)).toList());
	}

}
