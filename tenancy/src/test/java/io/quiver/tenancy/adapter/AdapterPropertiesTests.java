package io.quiver.tenancy.adapter;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which {@code https} hosts adapters may be registered from.
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

	private static AdapterProperties properties(String... hosts) {
		return new AdapterProperties(null, null, new AdapterProperties.S3(null, null, false), null, null,
				DataSize.ofMegabytes(1), null, List.of(hosts));
	}

}
