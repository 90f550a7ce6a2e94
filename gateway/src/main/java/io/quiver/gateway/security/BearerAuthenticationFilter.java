package io.quiver.gateway.security;

import java.io.IOException;
import java.util.Optional;

import io.quiver.tenancy.apikey.ApiKeySecret;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads {@code Authorization: Bearer <credential>} and authenticates it: {@code qvr_...}
 * as an API key, {@code eyJ...} as a JWT of the tenant's identity provider. A request
 * with no credential passes on unauthenticated (the chain's entry point then answers
 * 401); a request with a bad one is answered 401 here, in the chain's dialect, without
 * saying why. A source that keeps failing is refused with 429 before its credential is
 * even looked at.
 */
final class BearerAuthenticationFilter extends OncePerRequestFilter {

	private final ApiKeyAuthenticator apiKeys;

	private final JwtAuthenticator jwts;

	/** The request attribute that holds the authenticated {@link Caller}. */
	static final String CALLER_ATTRIBUTE = Caller.class.getName();

	private final AuthenticationFailureThrottle throttle;

	private final AuthenticationEntryPoint entryPoint;

	private final Refusal refusal;

	private final ApplicationEventPublisher events;

	BearerAuthenticationFilter(ApiKeyAuthenticator apiKeys, JwtAuthenticator jwts,
			AuthenticationFailureThrottle throttle, AuthenticationEntryPoint entryPoint, Refusal refusal,
			ApplicationEventPublisher events) {
		this.events = events;
		this.apiKeys = apiKeys;
		this.jwts = jwts;
		this.throttle = throttle;
		this.entryPoint = entryPoint;
		this.refusal = refusal;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String header = request.getHeader("Authorization");
		if (header == null || header.isBlank()) {
			chain.doFilter(request, response);
			return;
		}
		String source = request.getRemoteAddr();
		long wait = this.throttle.refusedForSeconds(source);
		if (wait > 0) {
			this.events.publishEvent(
					new AuthenticationFailed("unknown", "too_many_failures", source, request.getRequestURI()));
			response.setHeader("Retry-After", Long.toString(wait));
			this.refusal.tooManyFailures(request, response);
			return;
		}
		Optional<Caller> caller = Optional.empty();
		String method = "unknown";
		if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			String credential = header.substring(7).trim();
			if (credential.startsWith(ApiKeySecret.PREFIX)) {
				method = Caller.API_KEY;
				caller = this.apiKeys.authenticate(credential);
			}
			else if (credential.startsWith("eyJ")) {
				method = Caller.JWT;
				caller = this.jwts.authenticate(credential);
			}
		}
		if (caller.isEmpty()) {
			this.throttle.recordFailure(source);
			this.events
				.publishEvent(new AuthenticationFailed(method, "invalid_credential", source, request.getRequestURI()));
			SecurityContextHolder.clearContext();
			this.entryPoint.commence(request, response, new BadCredentialsException("Invalid credential"));
			return;
		}
		Caller authenticated = caller.get();
		this.events.publishEvent(new CallerAuthenticated(authenticated.tenantId(), authenticated.subject(),
				authenticated.keyPublicId(), authenticated.method(), source, request.getRequestURI()));
		// Kept on the request too: access-denied handling runs after this filter has
		// cleared the security context.
		request.setAttribute(CALLER_ATTRIBUTE, authenticated);
		var context = SecurityContextHolder.createEmptyContext();
		context.setAuthentication(new CallerAuthentication(caller.get()));
		SecurityContextHolder.setContext(context);
		try {
			chain.doFilter(request, response);
		}
		finally {
			SecurityContextHolder.clearContext();
		}
	}

	/** How a chain answers a source that failed too often, in its dialect. */
	@FunctionalInterface
	interface Refusal {

		void tooManyFailures(HttpServletRequest request, HttpServletResponse response) throws IOException;

	}

}
