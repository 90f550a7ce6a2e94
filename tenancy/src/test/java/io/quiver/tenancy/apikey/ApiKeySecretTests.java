package io.quiver.tenancy.apikey;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeySecretTests {

	@Test
	void whenGeneratedThenWellFormedTypedAndUnique() {
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 1000; i++) {
			String secret = ApiKeySecret.generate();
			assertThat(secret).startsWith("qvr_").hasSize(ApiKeySecret.LENGTH);
			assertThat(ApiKeySecret.isWellFormed(secret)).isTrue();
			assertThat(seen.add(secret)).isTrue();
		}
	}

	@Test
	void whenAnyCharacterChangesThenChecksumRejectsIt() {
		String secret = ApiKeySecret.generate();
		for (int i = ApiKeySecret.PREFIX.length(); i < secret.length(); i++) {
			char original = secret.charAt(i);
			char replacement = (original == 'a') ? 'b' : 'a';
			String tampered = secret.substring(0, i) + replacement + secret.substring(i + 1);
			assertThat(ApiKeySecret.isWellFormed(tampered)).as("position %d", i).isFalse();
		}
	}

	@Test
	void whenShapeIsWrongThenRejected() {
		String secret = ApiKeySecret.generate();
		assertThat(ApiKeySecret.isWellFormed(null)).isFalse();
		assertThat(ApiKeySecret.isWellFormed("")).isFalse();
		assertThat(ApiKeySecret.isWellFormed("sk_" + secret.substring(3))).isFalse();
		assertThat(ApiKeySecret.isWellFormed(secret + "x")).isFalse();
		assertThat(ApiKeySecret.isWellFormed(secret.substring(0, secret.length() - 1) + "!")).isFalse();
	}

	@Test
	void whenHashedThenOnlyPrefixIsRecoverable() {
		String secret = ApiKeySecret.generate();
		assertThat(ApiKeySecret.hash(secret)).hasSize(32).isEqualTo(ApiKeySecret.hash(secret));
		assertThat(ApiKeySecret.displayPrefix(secret)).hasSize(8).startsWith("qvr_");
	}

}
