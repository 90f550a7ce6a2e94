package io.quiver.gateway.security;

import java.io.IOException;

import io.quiver.gateway.openai.OpenAiErrors;
import io.quiver.gateway.web.ErrorDialect;
import io.quiver.tenancy.member.Scopes;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The filter chains, most specific first. Each speaks its paths' error dialect, and
 * anything not explicitly opened is refused (fail closed).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	/**
	 * Spring Security's strict firewall with its default rules, the header rules checked
	 * without regular expressions ({@link HeaderCharacters}).
	 */
	@Bean
	WebSecurityCustomizer strictFirewall() {
		StrictHttpFirewall firewall = new StrictHttpFirewall();
		firewall.setAllowedHeaderNames(HeaderCharacters.NAME);
		firewall.setAllowedHeaderValues(HeaderCharacters.VALUE);
		return (web) -> web.httpFirewall(firewall);
	}

	/** The OpenAI API: API keys or JWTs with the {@code inference} scope. */
	@Bean
	@Order(1)
	SecurityFilterChain openAiChain(HttpSecurity http, ApiKeyAuthenticator apiKeys, JwtAuthenticator jwts,
			AuthenticationFailureThrottle throttle, ApplicationEventPublisher events) throws Exception {
		AuthenticationEntryPoint unauthorized = (request, response, ex) -> {
			boolean missing = request.getHeader("Authorization") == null;
			missingCredential(events, request);
			OpenAiErrors.write(response, 401, "invalid_request_error", "invalid_api_key", null,
					missing ? "You didn't provide an API key. Send it as 'Authorization: Bearer qvr_...'."
							: "Incorrect API key provided.");
		};
		AccessDeniedHandler forbidden = (request, response, ex) -> {
			denied(events, request, 403);
			OpenAiErrors.write(response, 403, "permission_error", "insufficient_scope", null,
					"This credential lacks the 'inference' scope.");
		};
		BearerAuthenticationFilter.Refusal refused = (request, response) -> OpenAiErrors.write(response, 429,
				"rate_limit_error", "too_many_failed_authentications", null,
				"Too many failed authentication attempts from this address. Retry later.");
		// Every /v1 request is authenticated by its bearer credential or refused: no
		// anonymous identity, and no servlet API wrapper (nothing asks isUserInRole).
		return stateless(http.securityMatcher("/v1/**")).anonymous(AbstractHttpConfigurer::disable)
			.servletApi(AbstractHttpConfigurer::disable)
			.addFilterBefore(new BearerAuthenticationFilter(apiKeys, jwts, throttle, unauthorized, refused, events),
					AuthorizationFilter.class)
			.authorizeHttpRequests((authorize) -> authorize.anyRequest().hasAuthority("SCOPE_inference"))
			.exceptionHandling(
					(exceptions) -> exceptions.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden))
			.build();
	}

	/**
	 * The admin API, authorised by role: each rule names the scope an operation needs
	 * (roles are sets of scopes). A caller acts only inside its own tenant, unless it is
	 * a platform admin; another tenant's paths look exactly like missing ones (404), so
	 * nothing reveals that they exist. Anything not listed is refused.
	 */
	@Bean
	@Order(2)
	SecurityFilterChain adminChain(HttpSecurity http, ApiKeyAuthenticator apiKeys, JwtAuthenticator jwts,
			AuthenticationFailureThrottle throttle, ApplicationEventPublisher events) throws Exception {
		AuthenticationEntryPoint unauthorized = (request, response, ex) -> {
			missingCredential(events, request);
			ErrorDialect.write(request.getRequestURI(), response, HttpStatus.UNAUTHORIZED, "Authentication required.");
		};
		AccessDeniedHandler denied = (request, response, ex) -> {
			boolean foreign = ex instanceof AuthorizationDeniedException refusal
					&& refusal.getAuthorizationResult() instanceof ForeignTenant;
			denied(events, request, foreign ? 404 : 403);
			ErrorDialect.write(request.getRequestURI(), response, foreign ? HttpStatus.NOT_FOUND : HttpStatus.FORBIDDEN,
					foreign ? "Not Found" : "The caller's role does not allow this operation.");
		};
		BearerAuthenticationFilter.Refusal refused = (request, response) -> ErrorDialect.write(request.getRequestURI(),
				response, HttpStatus.TOO_MANY_REQUESTS,
				"Too many failed authentication attempts from this address. Retry later.");
		String tenant = "/admin/v1/tenants/{tenant}";
		return stateless(http.securityMatcher("/admin/**"))
			.addFilterBefore(new BearerAuthenticationFilter(apiKeys, jwts, throttle, unauthorized, refused, events),
					AuthorizationFilter.class)
			.authorizeHttpRequests((authorize) -> authorize.requestMatchers("/admin/v1/openapi", "/admin/v1/openapi/**")
				.permitAll()
				.requestMatchers("/admin/v1/tenants")
				.hasAuthority("SCOPE_" + Scopes.PLATFORM_ADMIN)
				.requestMatchers(HttpMethod.GET, tenant)
				.access(ownTenant(null))
				.requestMatchers(tenant + "/audit", tenant + "/audit/**")
				.access(ownTenant(Scopes.AUDIT_READ))
				.requestMatchers(HttpMethod.GET, tenant + "/usage", tenant + "/usage/**")
				.access(ownTenant(Scopes.USAGE_READ))
				.requestMatchers(HttpMethod.GET, tenant + "/adapters", tenant + "/adapters/**")
				.access(ownTenant(Scopes.ADAPTERS_READ))
				.requestMatchers(tenant + "/adapters", tenant + "/adapters/**")
				.access(ownTenant(Scopes.ADAPTERS_WRITE))
				// A tenant's own quota is the platform's to set; its admins set their
				// keys'.
				.requestMatchers(HttpMethod.PUT, tenant + "/limits")
				.access(ownTenant(Scopes.PLATFORM_ADMIN))
				.requestMatchers(tenant + "/limits", tenant + "/members", tenant + "/members/**",
						tenant + "/service-accounts", tenant + "/service-accounts/**", tenant + "/api-keys",
						tenant + "/api-keys/**", tenant + "/identity-providers", tenant + "/identity-providers/**")
				.access(ownTenant(Scopes.ADMIN))
				.requestMatchers(tenant + "/**")
				.access(ownTenant(Scopes.ADMIN))
				.requestMatchers("/admin/v1/audit/public-keys")
				.authenticated()
				.anyRequest()
				.denyAll())
			.exceptionHandling(
					(exceptions) -> exceptions.authenticationEntryPoint(unauthorized).accessDeniedHandler(denied))
			.build();
	}

	/** Health and metrics for the platform; nothing else of the actuator is exposed. */
	@Bean
	@Order(3)
	SecurityFilterChain actuatorChain(HttpSecurity http) throws Exception {
		return stateless(http.securityMatcher("/actuator/**"))
			.authorizeHttpRequests((authorize) -> authorize
				.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info")
				.permitAll()
				.anyRequest()
				.denyAll())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this::notFound))
			.build();
	}

	/** Everything else: only the error page is open. */
	@Bean
	@Order(10)
	SecurityFilterChain fallbackChain(HttpSecurity http) throws Exception {
		return stateless(http)
			.authorizeHttpRequests(
					(authorize) -> authorize.requestMatchers("/error").permitAll().anyRequest().denyAll())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this::notFound)
				.accessDeniedHandler((request, response, ex) -> notFound(request, response, null)))
			.build();
	}

	private void notFound(HttpServletRequest request, HttpServletResponse response, Exception ex) throws IOException {
		ErrorDialect.write(request.getRequestURI(), response, HttpStatus.NOT_FOUND, "Not Found");
	}

	/**
	 * A refused credential is published by the filter; a request that brought none at all
	 * is published here.
	 */
	private static void missingCredential(ApplicationEventPublisher events, HttpServletRequest request) {
		if (request.getHeader("Authorization") == null) {
			events.publishEvent(new AuthenticationFailed("none", "missing_credential", request.getRemoteAddr(),
					request.getRequestURI()));
		}
	}

	private static void denied(ApplicationEventPublisher events, HttpServletRequest request, int status) {
		if (request.getAttribute(BearerAuthenticationFilter.CALLER_ATTRIBUTE) instanceof Caller caller) {
			events.publishEvent(new AccessDenied(caller.tenantId(), caller.subject(), request.getMethod(),
					request.getRequestURI(), status));
		}
	}

	private static HttpSecurity stateless(HttpSecurity http) throws Exception {
		return http.csrf(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
	}

	/**
	 * @param scope the scope the operation needs, or {@code null} for any caller of the
	 * tenant
	 * @return a check that the path's tenant is the caller's (or the caller a platform
	 * admin) and that the caller holds the scope
	 */
	private static AuthorizationManager<RequestAuthorizationContext> ownTenant(String scope) {
		return (authentication, context) -> {
			if (!(authentication.get() instanceof CallerAuthentication callerAuthentication)) {
				return new AuthorizationDecision(false);
			}
			Caller caller = callerAuthentication.getPrincipal();
			boolean platform = caller.hasScope(Scopes.PLATFORM_ADMIN);
			if (!platform && !caller.tenant().equals(context.getVariables().get("tenant"))) {
				return new ForeignTenant();
			}
			return new AuthorizationDecision(scope == null || caller.hasScope(scope));
		};
	}

	/** A refusal because the path names a tenant other than the caller's. */
	static final class ForeignTenant extends AuthorizationDecision {

		ForeignTenant() {
			super(false);
		}

	}

}
