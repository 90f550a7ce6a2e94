package io.quiver.worker.adapter;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Microsoft Entra access tokens for Azure Storage, from AKS workload identity: the
 * service account token Kubernetes projects into {@code AZURE_FEDERATED_TOKEN_FILE} is
 * exchanged at {@code AZURE_AUTHORITY_HOST} for the managed identity
 * {@code AZURE_CLIENT_ID} of tenant {@code AZURE_TENANT_ID} (the variables the workload
 * identity webhook sets). Tokens are kept until a minute before they expire.
 */
final class AzureAccessTokens {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String SCOPE = "https://storage.azure.com/.default";

	private final AdapterDownloadConfig.Azure azure;

	private final HttpClient http;

	private final Duration timeout;

	private String token;

	private Instant refreshAt = Instant.MIN;

	AzureAccessTokens(AdapterDownloadConfig.Azure azure, Duration timeout) {
		this.azure = azure;
		this.timeout = timeout;
		this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
	}

	/**
	 * @return a valid access token for Azure Storage
	 * @throws AdapterException if workload identity is not set up or refuses
	 */
	synchronized String get() {
		if (this.token != null && Instant.now().isBefore(this.refreshAt)) {
			return this.token;
		}
		if (this.azure.clientId() == null || this.azure.tenantId() == null || this.azure.federatedTokenFile() == null) {
			throw new AdapterException("az:// sources need AKS workload identity: AZURE_CLIENT_ID, AZURE_TENANT_ID "
					+ "and AZURE_FEDERATED_TOKEN_FILE are not all set (label the pod azure.workload.identity/use=true)");
		}
		String assertion;
		try {
			assertion = Files.readString(Path.of(this.azure.federatedTokenFile())).trim();
		}
		catch (IOException ex) {
			throw new AdapterException(
					"the workload identity token file " + this.azure.federatedTokenFile() + " cannot be read", ex);
		}
		String form = "grant_type=client_credentials&client_id=" + encode(this.azure.clientId()) + "&scope="
				+ encode(SCOPE) + "&client_assertion_type="
				+ encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion="
				+ encode(assertion);
		URI uri = URI.create(this.azure.authorityHost().toString().replaceAll("/+$", "") + "/"
				+ encode(this.azure.tenantId()) + "/oauth2/v2.0/token");
		HttpResponse<String> response;
		try {
			response = this.http.send(HttpRequest.newBuilder(uri)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.timeout(this.timeout)
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new AdapterException("Microsoft Entra ID (" + uri.getHost() + ") did not answer a token request: "
					+ ex.getClass().getSimpleName(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AdapterException("interrupted while asking Microsoft Entra ID for a token", ex);
		}
		JsonNode body = JSON.readTree(response.body().isBlank() ? "{}" : response.body());
		String accessToken = body.path("access_token").asString("");
		if (response.statusCode() != 200 || accessToken.isEmpty()) {
			// the error code (AADSTS…) says what is wrong; the description may echo input
			throw new AdapterException("Microsoft Entra ID refused the workload identity token exchange ("
					+ response.statusCode() + " " + body.path("error").asString("") + ")");
		}
		this.token = accessToken;
		this.refreshAt = Instant.now().plusSeconds(Math.max(0, body.path("expires_in").asLong(0) - 60));
		return this.token;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
