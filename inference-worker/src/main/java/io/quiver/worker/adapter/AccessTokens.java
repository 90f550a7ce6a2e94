package io.quiver.worker.adapter;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OAuth2 access tokens of the workload's cloud identity, asked for with a cloud's own
 * token request (the Google metadata server, the Entra exchange of an AKS workload
 * identity) and kept until a minute before they expire. The token is asked for on first
 * use, so a worker that never reads such a source never asks.
 */
final class AccessTokens {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String issuer;

	private final TokenRequest request;

	private final HttpClient http;

	private String token;

	private Instant refreshAt = Instant.MIN;

	/**
	 * @param issuer who issues the tokens, for messages
	 * @param timeout how long connecting may take
	 * @param request builds the token request
	 */
	AccessTokens(String issuer, Duration timeout, TokenRequest request) {
		this.issuer = issuer;
		this.request = request;
		this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
	}

	/**
	 * @return a valid access token
	 * @throws AdapterException if none can be had
	 */
	synchronized String get() {
		if (this.token != null && Instant.now().isBefore(this.refreshAt)) {
			return this.token;
		}
		HttpResponse<String> response;
		try {
			response = this.http.send(this.request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new AdapterException(this.issuer + " did not answer a token request (" + ex.getClass().getSimpleName()
					+ "): is the workload identity set up?", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AdapterException("interrupted while asking " + this.issuer + " for a token", ex);
		}
		JsonNode body = JSON.readTree(response.body().isBlank() ? "{}" : response.body());
		String accessToken = body.path("access_token").asString("");
		if (response.statusCode() != 200 || accessToken.isEmpty()) {
			// an error code (AADSTS…) says what is wrong; descriptions may echo the
			// request
			throw new AdapterException(this.issuer + " answered " + response.statusCode() + " "
					+ body.path("error").asString("") + " without an access token for the worker's identity");
		}
		this.token = accessToken;
		this.refreshAt = Instant.now().plusSeconds(Math.max(0, body.path("expires_in").asLong(0) - 60));
		return this.token;
	}

	/** Builds a token request; an {@link AdapterException} says why it cannot. */
	@FunctionalInterface
	interface TokenRequest {

		HttpRequest build();

	}

}
