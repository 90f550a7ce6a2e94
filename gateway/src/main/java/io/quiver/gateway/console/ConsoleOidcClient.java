package io.quiver.gateway.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.quiver.tenancy.identityprovider.IdentityProviderSettings;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * The console's calls to an organisation's identity provider: its OpenID discovery
 * document (read from the registered issuer, never from anything a browser sent) and the
 * token endpoint that turns an authorization code into an ID token. The ID token itself
 * is verified by the gateway's one JWT verifier, against the registered JWKS URI.
 */
@Component
class ConsoleOidcClient {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	private final RestClient http;

	private final Environment environment;

	ConsoleOidcClient(ConsoleProperties properties, Environment environment) {
		SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
		requests.setConnectTimeout(properties.identityProviderTimeout());
		requests.setReadTimeout(properties.identityProviderTimeout());
		this.http = RestClient.builder().requestFactory(requests).build();
		this.environment = environment;
	}

	/**
	 * @param issuer a registered issuer
	 * @return its endpoints, from {@code <issuer>/.well-known/openid-configuration}
	 * @throws IdentityProviderException if the document cannot be read, names another
	 * issuer, or an endpoint that is not https
	 */
	Endpoints discover(String issuer) {
		String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
		Map<String, Object> document;
		try {
			document = this.http.get()
				.uri(base + "/.well-known/openid-configuration")
				.accept(MediaType.APPLICATION_JSON)
				.retrieve()
				.body(JSON_OBJECT);
		}
		catch (RestClientException ex) {
			throw new IdentityProviderException("discovery document unavailable: " + ex.getClass().getSimpleName());
		}
		if (document == null || !issuer.equals(document.get("issuer"))) {
			// OpenID Connect Discovery 4.3: the document must name the issuer it was read
			// from.
			throw new IdentityProviderException("discovery document names another issuer");
		}
		String authorization = endpoint(document, "authorization_endpoint");
		String token = endpoint(document, "token_endpoint");
		return new Endpoints(authorization, token);
	}

	/**
	 * Redeems an authorization code with its PKCE verifier. A client with a configured
	 * secret authenticates with HTTP Basic ({@code client_secret_basic}); without one, it
	 * is a public client that names itself.
	 * @param pending the sign-in the code belongs to
	 * @param code the authorization code
	 * @return the ID token
	 * @throws IdentityProviderException if the provider refuses or gives no ID token
	 * @throws MisconfiguredException if the client's secret is not configured
	 */
	String redeem(ConsoleSignIns.Pending pending, String code) {
		ConsoleSignIns.Target target = pending.target();
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("grant_type", "authorization_code");
		form.add("code", code);
		form.add("redirect_uri", target.redirectUri());
		form.add("code_verifier", pending.verifier());
		String secret = null;
		if (target.clientSecretRef() != null) {
			secret = this.environment.getProperty(target.clientSecretRef());
			if (secret == null || secret.isBlank()) {
				throw new MisconfiguredException(target.clientSecretRef());
			}
		}
		else {
			form.add("client_id", target.clientId());
		}
		String clientSecret = secret;
		Map<String, Object> response;
		try {
			response = this.http.post()
				.uri(target.tokenEndpoint())
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.accept(MediaType.APPLICATION_JSON)
				.headers((headers) -> {
					if (clientSecret != null) {
						// RFC 6749 2.3.1: both parts form-encoded before Basic encoding.
						headers.setBasicAuth(formEncoded(target.clientId()), formEncoded(clientSecret));
					}
				})
				.body(form)
				.retrieve()
				.body(JSON_OBJECT);
		}
		catch (RestClientException ex) {
			throw new IdentityProviderException("token endpoint refused: " + ex.getClass().getSimpleName());
		}
		if (response == null || !(response.get("id_token") instanceof String idToken) || idToken.isBlank()) {
			throw new IdentityProviderException("token response without an ID token");
		}
		return idToken;
	}

	private static String endpoint(Map<String, Object> document, String name) {
		if (!(document.get(name) instanceof String uri) || !IdentityProviderSettings.isCallable(uri)) {
			throw new IdentityProviderException("discovery document lacks a usable " + name);
		}
		return uri;
	}

	private static String formEncoded(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	/**
	 * An identity provider's endpoints.
	 *
	 * @param authorization where the browser signs in
	 * @param token where the console redeems the code
	 */
	record Endpoints(String authorization, String token) {
	}

	/** The provider could not be reached, or answered something unusable. */
	static class IdentityProviderException extends RuntimeException {

		IdentityProviderException(String message) {
			super(message, null, false, false);
		}

	}

	/** The provider's registration names a client secret this installation lacks. */
	static class MisconfiguredException extends RuntimeException {

		MisconfiguredException(String secretRef) {
			super("no value configured for " + secretRef, null, false, false);
		}

	}

}
