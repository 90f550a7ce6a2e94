package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP client of a bucket store, with the OAuth2 access token of the gateway's cloud
 * identity: asked for with the store's own token request, kept until a minute before it
 * expires.
 */
final class TokenClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final String issuer;

	private final TokenRequest request;

	private String token;

	private Instant refreshAt = Instant.MIN;

	/**
	 * @param issuer who issues the tokens, for messages
	 * @param request builds the token request
	 */
	TokenClient(String issuer, TokenRequest request) {
		this.issuer = issuer;
		this.request = request;
	}

	/**
	 * @return a valid access token
	 * @throws IOException if none can be had
	 */
	synchronized String token() throws IOException {
		if (this.token != null && Instant.now().isBefore(this.refreshAt)) {
			return this.token;
		}
		HttpResponse<String> response = send(this.request.build());
		JsonNode body = JSON.readTree(response.body().isBlank() ? "{}" : response.body());
		String accessToken = body.path("access_token").asString("");
		if (response.statusCode() != 200 || accessToken.isEmpty()) {
			// an error code says what is wrong; descriptions may echo the request
			throw new IOException(this.issuer + " answered " + response.statusCode() + " "
					+ body.path("error").asString("") + " without an access token for the gateway's identity");
		}
		this.token = accessToken;
		this.refreshAt = Instant.now().plusSeconds(Math.max(0, body.path("expires_in").asLong(0) - 60));
		return this.token;
	}

	/**
	 * @param request a request
	 * @return its response, the body as text
	 * @throws IOException if it cannot be sent
	 */
	HttpResponse<String> send(HttpRequest request) throws IOException {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	/** Builds a token request. */
	@FunctionalInterface
	interface TokenRequest {

		HttpRequest build() throws IOException;

	}

}
