package io.quiver.audit.checkpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CheckpointKeysTests {

	@TempDir
	Path dir;

	@Test
	void whenAPrivateKeyIsConfiguredThenItsPublicHalfVerifiesWhatItSigns() {
		KeyPair pair = CheckpointKeys.generate();
		CheckpointKeys keys = CheckpointKeys.fromConfiguration(null,
				Map.of("k1", CheckpointKeys.pem(pair.getPrivate())), Map.of(), this.dir.resolve("unused.pem"));
		byte[] payload = "head".getBytes(StandardCharsets.UTF_8);
		byte[] signature = keys.sign(payload);
		assertThat(keys.activeKeyId()).isEqualTo("k1");
		assertThat(keys.publicKeys().get("k1").getEncoded()).isEqualTo(pair.getPublic().getEncoded());
		assertThat(keys.verify("k1", payload, signature)).isTrue();
		assertThat(keys.verify("k1", "other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
	}

	@Test
	void whenKeyIsRotatedThenOldCheckpointsStillVerifyWithTheRetiredPublicKey() {
		KeyPair old = CheckpointKeys.generate();
		KeyPair current = CheckpointKeys.generate();
		CheckpointKeys before = CheckpointKeys.fromConfiguration("2025",
				Map.of("2025", CheckpointKeys.pem(old.getPrivate())), Map.of(), this.dir.resolve("unused.pem"));
		byte[] payload = "checkpoint".getBytes(StandardCharsets.UTF_8);
		byte[] oldSignature = before.sign(payload);
		CheckpointKeys after = CheckpointKeys.fromConfiguration("2026",
				Map.of("2026", CheckpointKeys.pem(current.getPrivate())),
				Map.of("2025", Base64.getEncoder().encodeToString(old.getPublic().getEncoded())),
				this.dir.resolve("unused.pem"));
		assertThat(after.activeKeyId()).isEqualTo("2026");
		assertThat(after.verify("2025", payload, oldSignature)).isTrue();
		assertThat(after.published()).extracting(CheckpointKeys.PublishedKey::keyId).containsExactly("2025", "2026");
	}

	@Test
	void whenNoKeyIsConfiguredThenADevelopmentKeyIsGeneratedOnceAndKept() {
		Path file = this.dir.resolve("dev.pem");
		CheckpointKeys first = CheckpointKeys.fromConfiguration(null, Map.of(), Map.of(), file);
		CheckpointKeys second = CheckpointKeys.fromConfiguration(null, Map.of(), Map.of(), file);
		assertThat(file).exists();
		assertThat(first.activeKeyId()).startsWith("dev-").isEqualTo(second.activeKeyId());
	}

	@Test
	void whenActiveKeyIdNamesNoKeyThenConfigurationIsRefused() {
		KeyPair pair = CheckpointKeys.generate();
		assertThatIllegalArgumentException().isThrownBy(() -> CheckpointKeys.fromConfiguration("missing",
				Map.of("k1", CheckpointKeys.pem(pair.getPrivate())), Map.of(), this.dir.resolve("unused.pem")));
	}

}
