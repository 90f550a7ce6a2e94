package io.quiver.tenancy.adapter;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Which {@code https} hosts, and which bucket and hub locations, adapters may be
 * registered from.
 */
class AdapterPropertiesTests {

	@Test
	void whenHostsAreListedThenOnlyThoseAndTheSubdomainsOfWildcardsAreAllowed() {
		AdapterProperties properties = properties(" Models.Example.com ", "*.hub.example.org");
		assertThat(properties.allowsHttpsHost(URI.create("https://models.example.com/bot"))).isTrue();
		assertThat(properties.allowsHttpsHost(URI.create("https://MODELS.example.com:8443/bot"))).isTrue();
		assertThat(properties.allowsHttpsHost(URI.create("https://eu.hub.example.org/bot"))).isTrue();
		assertThat(properties.allowsHttpsHost(URI.create("https://hub.example.org/bot"))).isFalse();
		assertThat(properties.allowsHttpsHost(URI.create("https://evilhub.example.org/bot"))).isFalse();
		assertThat(properties.allowsHttpsHost(URI.create("https://models.example.com.evil.net/bot"))).isFalse();
		assertThat(properties.allowsHttpsHost(URI.create("https://models.example.com@10.0.0.5/bot"))).isFalse();
		assertThat(properties.allowsHttpsHost(URI.create("https:///bot"))).isFalse();
	}

	@Test
	void whenNothingOrOnlyBlanksAreListedThenNoHostIsAllowed() {
		for (AdapterProperties properties : List.of(properties(), properties("", " ", "*."))) {
			assertThat(properties.httpsSourceHosts()).isEmpty();
			assertThat(properties.allowsHttpsHost(URI.create("https://models.example.com/bot"))).isFalse();
			assertThat(properties.allowsHttpsHost(URI.create("https://models.example.com./bot"))).isFalse();
		}
	}

	@Test
	void whenBucketLocationsAreListedThenOnlySourcesUnderThemAreAllowed() {
		AdapterProperties properties = sources(" s3://tenant-adapters/{tenant} ", "gs://shared-adapters/public/",
				"az://quiverart/adapters/{tenant}/", "hf://acme/");
		assertThat(properties.bucketSources()).containsExactly("s3://tenant-adapters/{tenant}/",
				"gs://shared-adapters/public/", "az://quiverart/adapters/{tenant}/", "hf://acme/");
		for (String allowed : List.of("s3://tenant-adapters/acme/bot", "s3://tenant-adapters/acme",
				"gs://shared-adapters/public/bot/v1", "az://quiverart/adapters/acme/bot", "hf://acme/support-bot")) {
			assertThat(properties.allowsBucketSource(URI.create(allowed), "acme")).as(allowed).isTrue();
		}
		for (String refused : List.of("s3://tenant-adapters/other/bot", "s3://tenant-adapters/acme-evil/bot",
				"s3://tenant-adapters/acme/../other/bot", "s3://tenant-adapters/acme/./x/../../other",
				"s3://tenant-adapters/acme/%2e%2e/other", "s3://tenant-adapters/acme/bot?versionId=1",
				"s3://other-bucket/acme/bot", "gs://shared-adapters/private/bot", "gs://shared-adapters/publicity",
				"az://quiverart/adapters/other/bot", "hf://acme-evil/bot", "hf://evil/acme", "hf:acme/bot",
				"s3://tenant-adapters", "s3:///tenant-adapters/acme/bot")) {
			assertThat(properties.allowsBucketSource(URI.create(refused), "acme")).as(refused).isFalse();
		}
	}

	@Test
	void whenNoBucketLocationIsListedThenNoBucketOrHubSourceIsAllowed() {
		assertThat(sources().allowsBucketSource(URI.create("s3://tenant-adapters/acme/bot"), "acme")).isFalse();
		assertThat(sources().allowsBucketSource(URI.create("hf://acme/bot"), "acme")).isFalse();
	}

	@Test
	void whenABucketLocationIsNoBucketPrefixThenStartingFails() {
		for (String prefix : List.of("https://models.example.com/", "s3://", "s3:///x/", "file:/var/adapters/",
				"s3://{tenant}/", "s3://bucket/../x/", "hf://")) {
			assertThatIllegalArgumentException().as(prefix)
				.isThrownBy(() -> sources(prefix))
				.withMessageContaining("quiver.adapters.bucket-sources");
		}
	}

	private static AdapterProperties properties(String... hosts) {
		return new AdapterProperties(null, null, new AdapterProperties.S3(null, null, false), null, null,
				DataSize.ofMegabytes(1), null, List.of(hosts), null);
	}

	private static AdapterProperties sources(String... prefixes) {
		return new AdapterProperties(null, null, new AdapterProperties.S3(null, null, false), null, null,
				DataSize.ofMegabytes(1), null, null, List.of(prefixes));
	}

}
