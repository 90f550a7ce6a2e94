package io.quiver.worker.adapter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OAuth2 access tokens of the workload's Google service account, from the metadata server
 * (GKE Workload Identity, or a VM's attached service account), kept until a minute before
 * they expire.
 */
final class GcpAccessTokens {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final URI tokenUri;

	private final HttpClient http;

	private final Duration timeout;

	private String token;

	private Instant refreshAt = Instant.MIN;

	/**
	 * @param metadataServer the metadata server, {@code http://metadata.google.internal}
	 * @param timeout how long a token request may take
	 */
	GcpAccessTokens(URI metadataServer, Duration timeout) {
		this.tokenUri = URI.create(metadataServer.toString().replaceAll("/+$", "")
				+ "/computeMetadata/v1/instance/service-accounts/default/token");
		this.timeout = timeout;
		this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
	}

	/**
	 * @return a valid access token
	 * @throws AdapterException if the metadata server gives none
	 */
	synchronized String get() {
		if (this.token != null && Instant.now().isBefore(this.refreshAt)) {
			return this.token;
		}
		HttpResponse<String> response;
		try {
			response = this.http.send(HttpRequest.newBuilder(this.tokenUri)
				.header("Metadata-Flavor", "Google")
				.timeout(this.timeout)
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new AdapterException("gs:// sources need the Google metadata server for a token, and "
					+ this.tokenUri.getHost() + " did not answer (" + ex.getClass().getSimpleName()
					+ "): run on GKE with Workload Identity or on a VM with a service account", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AdapterException("interrupted while asking the metadata server for a token", ex);
		}
		if (response.statusCode() != 200) {
			throw new AdapterException("the Google metadata server answered " + response.statusCode()
					+ " when asked for the workload's access token");
		}
		JsonNode body = JSON.readTree(response.body());
		String accessToken = body.path("access_token").asString("");
		if (accessToken.isEmpty()) {
			throw new AdapterException("the Google metadata server answered without an access token");
		}
		this.token = accessToken;
		this.refreshAt = Instant.now().plusSeconds(Math.max(0, body.path("expires_in").asLong(0) - 60));
		return this.token;
	}

}
