package io.quiver.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.quiver.tenancy.identityprovider.IdentityProvider;
import io.quiver.tenancy.identityprovider.IdentityProviderRegistered;
import io.quiver.tenancy.identityprovider.IdentityProviderRemoved;
import io.quiver.tenancy.identityprovider.IdentityProviderService;
import io.quiver.tenancy.member.MemberService;
import io.quiver.tenancy.member.Role;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.client.RestTemplate;

/**
 * Verifies JWTs from tenants' own identity providers. The token's (unverified) issuer
 * only selects which registration to check it against; that registration, read from the
 * database, supplies the keys' location, the audience and the algorithms. Nothing in a
 * token can make the gateway fetch from a URL that was not registered. Bearer tokens on
 * the API and the console's OpenID Connect ID tokens go through the same checks and the
 * same claim → role mapping; only the audience differs (the registered API audience, or
 * the console's client id).
 */
@Component
public class JwtAuthenticator {

	private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

	/**
	 * Unknown issuers are remembered too (bounded), so garbage cannot hammer the
	 * database.
	 */
	private static final int MAX_CACHED_ISSUERS = 10_000;

	private final IdentityProviderService providers;

	private final MemberService members;

	private final TenantService tenants;

	private final ScopePolicy scopes;

	private final SecurityProperties properties;

	private final RestTemplate jwksClient;

	private final ConcurrentHashMap<String, Registration> registrations = new ConcurrentHashMap<>();

	JwtAuthenticator(IdentityProviderService providers, MemberService members, TenantService tenants,
			ScopePolicy scopes, SecurityProperties properties) {
		this.providers = providers;
		this.members = members;
		this.tenants = tenants;
		this.scopes = scopes;
		this.properties = properties;
		SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
		requests.setConnectTimeout(properties.jwksTimeout());
		requests.setReadTimeout(properties.jwksTimeout());
		this.jwksClient = new RestTemplate(requests);
	}

	/**
	 * @param token the bearer token, a compact JWS
	 * @return the caller, or empty for any failure (not told apart to the client)
	 */
	Optional<Caller> authenticate(String token) {
		String issuer = unverifiedIssuer(token);
		if (issuer == null) {
			return Optional.empty();
		}
		return verify(token, issuer, (provider, jwt) -> hasAudience(jwt, provider.getAudience()));
	}

	/**
	 * Verifies the ID token of a console sign-in that this gateway started (OpenID
	 * Connect Core 3.1.3.7): signed with a key published at the registered JWKS URI, by
	 * the registered issuer the sign-in was sent to, for the console's client, carrying
	 * the nonce of that sign-in.
	 * @param idToken the {@code id_token} from the provider's token endpoint
	 * @param issuer the registered issuer the sign-in was sent to
	 * @param clientId the console's client id at that provider
	 * @param nonce the nonce the sign-in sent
	 * @return the person as a caller, with the scopes their roles grant (possibly none),
	 * or empty if the token fails any check
	 */
	public Optional<Caller> authenticateIdToken(String idToken, String issuer, String clientId, String nonce) {
		if (!issuer.equals(unverifiedIssuer(idToken))) {
			return Optional.empty();
		}
		return verify(idToken, issuer, (provider, jwt) -> {
			List<String> audience = jwt.getAudience();
			String authorizedParty = jwt.getClaimAsString("azp");
			return hasAudience(jwt, clientId) && (audience.size() == 1 || clientId.equals(authorizedParty))
					&& (authorizedParty == null || clientId.equals(authorizedParty))
					&& MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8),
							String.valueOf(jwt.getClaimAsString("nonce")).getBytes(StandardCharsets.UTF_8));
		});
	}

	private Optional<Caller> verify(String token, String issuer, BiPredicate<IdentityProvider, Jwt> intendedForUs) {
		Registration registration = registration(issuer);
		if (registration.provider() == null) {
			return Optional.empty();
		}
		IdentityProvider provider = registration.provider();
		Jwt jwt;
		try {
			jwt = registration.decoder().decode(token);
		}
		catch (JwtException ex) {
			log.debug("Rejected a token of issuer registration {}: {}", provider.getPublicId(),
					ex.getClass().getSimpleName());
			return Optional.empty();
		}
		if (!intendedForUs.test(provider, jwt)) {
			log.debug("Rejected a token of issuer registration {} meant for someone else", provider.getPublicId());
			return Optional.empty();
		}
		String subject = jwt.getClaimAsString(provider.getSubjectClaim());
		if (subject == null || subject.isBlank() || subject.length() > 256) {
			return Optional.empty();
		}
		Optional<Tenant> tenant = this.tenants.findById(provider.getTenantId()).filter(Tenant::isActive);
		if (tenant.isEmpty()) {
			return Optional.empty();
		}
		Set<String> granted = new HashSet<>();
		for (String value : claimValues(jwt.getClaims(), provider.getRolesClaim())) {
			String role = provider.getRoleMappings().get(value);
			if (role != null) {
				granted.addAll(Role.of(role).scopes());
			}
		}
		this.members.roleOfUser(provider.getTenantId(), subject).ifPresent((role) -> granted.addAll(role.scopes()));
		String slug = tenant.get().getSlug();
		return Optional.of(new Caller(provider.getTenantId(), slug, subject, null, Caller.JWT,
				this.scopes.effective(slug, granted)));
	}

	private static boolean hasAudience(Jwt jwt, String audience) {
		List<String> audiences = jwt.getAudience();
		return audiences != null && audiences.contains(audience);
	}

	@TransactionalEventListener
	void onRegistered(IdentityProviderRegistered registered) {
		this.registrations.clear();
	}

	@TransactionalEventListener
	void onRemoved(IdentityProviderRemoved removed) {
		this.registrations.clear();
	}

	private Registration registration(String issuer) {
		long now = System.nanoTime();
		Registration cached = this.registrations.get(issuer);
		if (cached != null && now - cached.loadedAt() < this.properties.identityProviderCacheTtl().toNanos()) {
			return cached;
		}
		Registration loaded = this.providers.findByIssuer(issuer)
			.map((provider) -> (cached != null && cached.provider() != null
					&& cached.provider().settings().equals(provider.settings()))
							? new Registration(provider, cached.decoder(), now)
							: new Registration(provider, decoder(provider), now))
			.orElseGet(() -> new Registration(null, null, now));
		if (this.registrations.size() >= MAX_CACHED_ISSUERS) {
			this.registrations.clear();
		}
		this.registrations.put(issuer, loaded);
		return loaded;
	}

	private JwtDecoder decoder(IdentityProvider provider) {
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(provider.getJwksUri()).jwsAlgorithms((algorithms) -> {
			algorithms.clear();
			provider.getAlgorithms().forEach((name) -> algorithms.add(SignatureAlgorithm.from(name)));
		}).restOperations(this.jwksClient).build();
		// The audience is checked after decoding: it differs between API tokens and
		// console ID tokens of the same provider.
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		validators.add(new JwtTimestampValidator(this.properties.clockSkew()));
		validators.add(new JwtIssuerValidator(provider.getIssuer()));
		validators.add(new JwtClaimValidator<Object>(JwtClaimNames.EXP, (exp) -> exp != null));
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
		return decoder;
	}

	/**
	 * Reads {@code iss} without trusting it: it only picks the registration to verify
	 * against. Unsigned tokens ({@code alg: none}) are refused here already.
	 */
	private static String unverifiedIssuer(String token) {
		try {
			JWT parsed = JWTParser.parse(token);
			if (!(parsed instanceof SignedJWT)) {
				return null;
			}
			String issuer = parsed.getJWTClaimsSet().getIssuer();
			return (issuer != null && !issuer.isBlank() && issuer.length() <= 2048) ? issuer : null;
		}
		catch (ParseException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * @param claims the verified claims
	 * @param path a dotted path such as {@code realm_access.roles}
	 * @return the strings found there: an array's elements, or a string's space-separated
	 * words
	 */
	static List<String> claimValues(Map<String, Object> claims, String path) {
		Object current = claims;
		for (String part : path.split("\\.")) {
			if (!(current instanceof Map<?, ?> map)) {
				return List.of();
			}
			current = map.get(part);
		}
		List<String> values = new ArrayList<>();
		if (current instanceof Collection<?> collection) {
			collection.forEach((item) -> {
				if (item instanceof String value) {
					values.add(value);
				}
			});
		}
		else if (current instanceof String value) {
			values.addAll(List.of(value.trim().split("\\s+")));
		}
		return values;
	}

	private record Registration(IdentityProvider provider, JwtDecoder decoder, long loadedAt) {
	}

}
