package io.quiver.gateway.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseCookie;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Sign-ins with an organisation's identity provider that have left for the provider and
 * not come back yet, by their {@code state}. Each is bound to the browser that started it
 * by a random value in a cookie of its own, so a callback URL that someone else started
 * (login CSRF) finds nothing, and each can be completed once only.
 *
 * <p>
 * Held in the database, like the console's sessions themselves, so that the provider's
 * redirect back may reach any gateway replica: claiming a sign-in deletes its row, so of
 * two replicas given the same callback only one finds it.
 */
@Component
class ConsoleSignIns {

	/** Started sign-ins held at most; beyond, the oldest are dropped first. */
	private static final int MAX_PENDING = 10_000;

	private static final SecureRandom RANDOM = new SecureRandom();

	/** The cookie that binds a sign-in to the browser that started it. */
	static final String BINDING_COOKIE = "QUIVER_CONSOLE_SIGN_IN";

	private final Duration lifetime;

	private final boolean secureCookies;

	private final Clock clock = Clock.systemUTC();

	private final JdbcClient jdbc;

	ConsoleSignIns(ConsoleProperties properties,
			@Value("${server.servlet.session.cookie.secure:true}") boolean secureCookies, JdbcClient jdbc) {
		this.lifetime = properties.signInTimeout();
		this.secureCookies = secureCookies;
		this.jdbc = jdbc;
	}

	/**
	 * The binding cookie is {@code SameSite=Lax}, unlike the session's strict one: the
	 * provider's redirect back is a navigation from another site, which a strict cookie
	 * would not accompany. It goes only to the callback and lives only as long as a
	 * sign-in may take.
	 * @param binding the sign-in's binding, or {@code ""} to delete the cookie
	 * @return the {@code Set-Cookie} value
	 */
	String bindingCookie(String binding) {
		return ResponseCookie.from(BINDING_COOKIE, binding)
			.httpOnly(true)
			.secure(this.secureCookies)
			.sameSite("Lax")
			.path(ConsoleOidcCallbackFilter.PATH)
			.maxAge(binding.isEmpty() ? Duration.ZERO : this.lifetime)
			.build()
			.toString();
	}

	/**
	 * @param request the callback request
	 * @return the binding its cookie carries, or {@code null}
	 */
	static String bindingOf(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (cookies == null) {
			return null;
		}
		return Arrays.stream(cookies)
			.filter((cookie) -> BINDING_COOKIE.equals(cookie.getName()))
			.map(Cookie::getValue)
			.findFirst()
			.orElse(null);
	}

	/**
	 * @param target where the sign-in goes and how it comes back
	 * @return the new sign-in: its state, nonce, PKCE verifier and browser binding
	 */
	Pending begin(Target target) {
		Instant now = this.clock.instant();
		this.jdbc.sql("delete from console_sign_ins where expires_at < ?").param(Timestamp.from(now)).update();
		// Anyone may start sign-ins: beyond the cap, the ones that would expire first go.
		this.jdbc.sql("""
				delete from console_sign_ins where state in (
				  select state from console_sign_ins order by expires_at desc offset ?)""")
			.param(MAX_PENDING - 1)
			.update();
		Pending started = new Pending(target, random(), random(), random(), random(), now.plus(this.lifetime));
		this.jdbc.sql("""
				insert into console_sign_ins (state, binding_sha256, nonce, verifier, tenant_id, issuer, client_id,
				  client_secret_ref, token_endpoint, redirect_uri, expires_at)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(started.state(), sha256(started.binding()), started.nonce(), started.verifier(), target.tenantId(),
					target.issuer(), target.clientId(), target.clientSecretRef(), target.tokenEndpoint(),
					target.redirectUri(), Timestamp.from(started.expiresAt()))
			.update();
		return started;
	}

	/**
	 * Completes a sign-in at most once: it is forgotten whether or not it matches.
	 * @param state the {@code state} the provider sent back
	 * @param binding the value of the browser's binding cookie, or {@code null}
	 * @return the sign-in, if that browser started it and it has not expired
	 */
	Optional<Pending> complete(String state, String binding) {
		if (state == null || binding == null) {
			return Optional.empty();
		}
		record Claimed(Pending pending, byte[] bindingSha256) {
		}
		Optional<Claimed> claimed = this.jdbc.sql("""
				delete from console_sign_ins where state = ?
				returning state, binding_sha256, nonce, verifier, tenant_id, issuer, client_id, client_secret_ref,
				  token_endpoint, redirect_uri, expires_at""")
			.param(state)
			.query((rs,
					row) -> new Claimed(new Pending(
							new Target(rs.getObject("tenant_id", UUID.class), rs.getString("issuer"),
									rs.getString("client_id"), rs.getString("client_secret_ref"),
									rs.getString("token_endpoint"), rs.getString("redirect_uri")),
							rs.getString("state"), rs.getString("nonce"), rs.getString("verifier"), binding,
							rs.getTimestamp("expires_at").toInstant()), rs.getBytes("binding_sha256")))
			.optional();
		if (claimed.isEmpty() || claimed.get().pending().expiresAt().isBefore(this.clock.instant())
				|| !MessageDigest.isEqual(claimed.get().bindingSha256(), sha256(binding))) {
			return Optional.empty();
		}
		return Optional.of(claimed.get().pending());
	}

	private static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param verifier a PKCE code verifier
	 * @return its S256 code challenge (RFC 7636 4.2)
	 */
	static String challenge(String verifier) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
	}

	/** 256 random bits, base64url: 43 characters, a valid PKCE verifier too. */
	private static String random() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * Where a sign-in goes and how it comes back.
	 *
	 * @param tenantId the tenant the person chose
	 * @param issuer the registered issuer of the tenant's provider
	 * @param clientId the console's client id there
	 * @param clientSecretRef where that client's secret is configured, or {@code null}
	 * @param tokenEndpoint the provider's token endpoint (from its discovery document)
	 * @param redirectUri the console's callback, as sent in the authorization request
	 */
	record Target(UUID tenantId, String issuer, String clientId, String clientSecretRef, String tokenEndpoint,
			String redirectUri) {
	}

	/**
	 * A started sign-in. Its values are secrets of that sign-in; {@link #toString()}
	 * names none of them.
	 *
	 * @param target where it went
	 * @param state the OAuth2 {@code state}
	 * @param nonce the OpenID Connect {@code nonce} the ID token must carry
	 * @param verifier the PKCE code verifier
	 * @param binding the value of the browser's binding cookie
	 * @param expiresAt when the sign-in can no longer complete
	 */
	record Pending(Target target, String state, String nonce, String verifier, String binding, Instant expiresAt) {

		@Override
		public String toString() {
			return "Pending[" + this.target.issuer() + ", expiresAt=" + this.expiresAt + "]";
		}

	}

}
