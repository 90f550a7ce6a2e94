package io.quiver.audit;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuditMaskingTests {

	@Test
	void whenKeyNamesASecretThenTextValueIsMasked() {
		Map<String, Object> masked = AuditMasking
			.mask(Map.of("password", "hunter2", "client_secret", "abc", "apiKey", "whatever", "name", "support-bot"));
		assertThat(masked).containsEntry("password", AuditMasking.MASK)
			.containsEntry("client_secret", AuditMasking.MASK)
			.containsEntry("apiKey", AuditMasking.MASK)
			.containsEntry("name", "support-bot");
	}

	@Test
	void whenValueLooksLikeACredentialThenItIsMaskedWhateverItsKey() {
		Map<String, Object> masked = AuditMasking.mask(Map.of("note", "qvr_abcdef0123456789", "header",
				"Bearer abc.def", "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "plain", "hello"));
		assertThat(masked).containsEntry("note", AuditMasking.MASK)
			.containsEntry("header", AuditMasking.MASK)
			.containsEntry("jwt", AuditMasking.MASK)
			.containsEntry("plain", "hello");
	}

	@Test
	void whenSecretNamedValueIsANumberThenItIsKept() {
		Map<String, Object> masked = AuditMasking.mask(Map.of("total_tokens", 42, "refresh_token", "r-123"));
		assertThat(masked).containsEntry("total_tokens", 42).containsEntry("refresh_token", AuditMasking.MASK);
	}

	@Test
	void whenSecretsAreNestedThenTheyAreMaskedToo() {
		Map<String, Object> masked = AuditMasking.mask(Map.of("idp",
				Map.of("issuer", "https://idp.example", "clientSecret", "s3cr3t"), "keys", List.of("qvr_1", "ok")));
		assertThat(masked.get("idp"))
			.isEqualTo(Map.of("issuer", "https://idp.example", "clientSecret", AuditMasking.MASK));
		assertThat(masked.get("keys")).isEqualTo(List.of(AuditMasking.MASK, "ok"));
	}

	@Test
	void whenEventIsBuiltThenChangesAndMetadataHoldNoSecret() {
		AuditEvent event = AuditEvent.builder("acme", "idp.updated")
			.changes(Map.of("client_secret", "old-secret", "issuer", "a"),
					Map.of("client_secret", "new-secret", "issuer", "b"))
			.metadata("authorization", "Basic dXNlcjpwYXNz")
			.build();
		assertThat(event.changes().before()).containsEntry("client_secret", AuditMasking.MASK)
			.containsEntry("issuer", "a");
		assertThat(event.changes().after()).containsEntry("client_secret", AuditMasking.MASK);
		assertThat(event.metadata()).containsEntry("authorization", AuditMasking.MASK);
		assertThat(event.toString()).doesNotContain("old-secret", "new-secret", "dXNlcjpwYXNz");
	}

	@Test
	void whenActionTenantOrTimeIsInvalidThenEventIsRefused() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> AuditEvent.builder("acme", "ApiKeyCreated").build());
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> AuditEvent.builder("Not A Slug", "api_key.created").build());
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> AuditEvent.builder("acme", "api_key.created").occurredAt(java.time.Instant.MAX).build());
	}

}
