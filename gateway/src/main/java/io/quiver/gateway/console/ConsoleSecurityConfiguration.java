package io.quiver.gateway.console;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.quiver.gateway.auditing.GatewayAudit;
import io.quiver.gateway.security.AuthenticationFailed;
import io.quiver.gateway.security.Caller;
import io.quiver.gateway.security.JwtAuthenticator;
import io.quiver.tenancy.tenant.TenantService;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.multipart.MultipartResolver;

/**
 * The console's own chain, ahead of the deny-all fallback: a browser session (the only
 * stateful chain of the gateway), sign-in with a local account or with the person's
 * organisation (OpenID Connect), CSRF tokens on every form, and headers that keep the
 * pages out of frames and off other origins' scripts.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConsoleProperties.class)
class ConsoleSecurityConfiguration {

	/**
	 * Everything the pages load comes from the gateway itself: no CDN, no inline script.
	 */
	private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
			+ "style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

	/** How a refused sign-in with an organisation's identity provider is recorded. */
	static final String OIDC = "oidc";

	@Bean
	PasswordEncoder consolePasswordEncoder() {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
	}

	@Bean
	@Order(4)
	SecurityFilterChain consoleChain(HttpSecurity http, ConsoleAccounts accounts, TenantService tenants,
			GatewayAudit audit, ApplicationEventPublisher events, ConsoleProperties properties, ConsoleSignIns signIns,
			ConsoleOidcClient oidc, JwtAuthenticator tokens, MultipartResolver multipart) throws Exception {
		SavedRequestAwareAuthenticationSuccessHandler success = new SavedRequestAwareAuthenticationSuccessHandler();
		success.setDefaultTargetUrl("/console");
		success.setAlwaysUseDefaultTargetUrl(false);
		SimpleUrlAuthenticationFailureHandler failure = new SimpleUrlAuthenticationFailureHandler(
				"/console/sign-in?error");
		CsrfTokenRepository csrfTokens = new HttpSessionCsrfTokenRepository();
		ConsoleSessionAgeFilter sessionAge = new ConsoleSessionAgeFilter(properties.maxSessionAge(), Clock.systemUTC());
		ConsoleOidcCallbackFilter callback = new ConsoleOidcCallbackFilter(signIns, oidc, tokens);
		callback.setSecurityContextRepository(new HttpSessionSecurityContextRepository());
		// What form login does on its own: a new session id, so a session fixed before
		// sign-in is worth nothing after it, and a new CSRF token.
		callback.setSessionAuthenticationStrategy(new CompositeSessionAuthenticationStrategy(
				List.of(new ChangeSessionIdAuthenticationStrategy(), new CsrfAuthenticationStrategy(csrfTokens))));
		callback.setAuthenticationSuccessHandler((request, response, authentication) -> {
			signedIn(request, authentication, properties, sessionAge, accounts, audit);
			response.sendRedirect(request.getContextPath() + "/console/signed-in");
		});
		callback.setAuthenticationFailureHandler((request, response, exception) -> {
			ConsoleSignInFailure reason = (exception instanceof ConsoleSignInRefusedException refused)
					? refused.failure() : ConsoleSignInFailure.INVALID_ID_TOKEN;
			events.publishEvent(
					new AuthenticationFailed(OIDC, reason.reason(), request.getRemoteAddr(), request.getRequestURI()));
			response.sendRedirect(request.getContextPath() + "/console/sign-in?sso-error=" + reason.reason());
		});
		return http.securityMatcher("/console/**")
			.authenticationProvider(new ConsoleAuthenticationProvider(accounts, tenants))
			.csrf((csrf) -> csrf.csrfTokenRepository(csrfTokens))
			.addFilterBefore(callback, UsernamePasswordAuthenticationFilter.class)
			.addFilterAfter(sessionAge, SecurityContextHolderFilter.class)
			.authorizeHttpRequests((authorize) -> authorize
				.requestMatchers("/console/assets/**", "/console/sign-in", "/console/sign-in/oidc",
						ConsoleOidcCallbackFilter.PATH, "/console/signed-in")
				.permitAll()
				.anyRequest()
				.authenticated())
			.formLogin((form) -> form.loginPage("/console/sign-in")
				.loginProcessingUrl("/console/sign-in")
				.successHandler((request, response, authentication) -> {
					signedIn(request, authentication, properties, sessionAge, accounts, audit);
					success.onAuthenticationSuccess(request, response, authentication);
				})
				.failureHandler((request, response, exception) -> {
					events.publishEvent(new AuthenticationFailed("password", "invalid_credential",
							request.getRemoteAddr(), request.getRequestURI()));
					failure.onAuthenticationFailure(request, response, exception);
				}))
			.logout((logout) -> logout.logoutUrl("/console/sign-out")
				.logoutSuccessUrl("/console/sign-in?signed-out")
				.deleteCookies("QUIVER_CONSOLE"))
			.sessionManagement((session) -> session.invalidSessionUrl("/console/sign-in?expired"))
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)))
			.addFilterBefore(new ConsoleUploadLimitFilter(multipart), CsrfFilter.class)
			.build();
	}

	/**
	 * What every sign-in does, whichever way the person proved who they are.
	 */
	private static void signedIn(HttpServletRequest request, Authentication authentication,
			ConsoleProperties properties, ConsoleSessionAgeFilter sessionAge, ConsoleAccounts accounts,
			GatewayAudit audit) {
		// The idle timeout applies to signed-in sessions; the container default covers
		// the short-lived anonymous one that carries the sign-in form.
		request.getSession().setMaxInactiveInterval((int) properties.idleTimeout().toSeconds());
		sessionAge.signedIn(request.getSession());
		Caller caller = (Caller) authentication.getPrincipal();
		if (authentication.getDetails() instanceof UUID accountId) {
			accounts.markSignedIn(accountId, Instant.now());
		}
		audit.consoleSignedIn(request, caller);
	}

}
