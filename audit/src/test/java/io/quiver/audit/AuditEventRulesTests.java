package io.quiver.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenant slugs and actions are judged exactly as their defining patterns say, and the
 * builder's metadata ends up in the event as given.
 */
class AuditEventRulesTests {

	private static final Pattern TENANT = Pattern.compile("_platform|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

	private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+");

	@Test
	void everyShortTextIsJudgedAsByThePatterns() {
		for (String text : texts("az09-_.A ", 5)) {
			assertThat(AuditEvent.isValidTenant(text)).as("tenant '%s'", text)
				.isEqualTo(TENANT.matcher(text).matches());
			assertThat(AuditEvent.isValidAction(text)).as("action '%s'", text)
				.isEqualTo(ACTION.matcher(text).matches());
		}
	}

	@Test
	void longTextsAndSpecialNamesAreJudgedAsByThePatterns() {
		List<String> texts = new ArrayList<>(List.of("_platform", "_platform_", "_Platform", "platform", "a.b.c_d.e9",
				"api_key.created", "a..b", ".a.b", "a.b.", "a.9b", "é.b", "a-b.c"));
		for (int length = 60; length <= 66; length++) {
			texts.add("a".repeat(length));
			texts.add("a" + "-".repeat(length - 2) + "b");
			texts.add("a" + "-".repeat(length - 1));
		}
		for (String text : texts) {
			assertThat(AuditEvent.isValidTenant(text)).as("tenant '%s'", text)
				.isEqualTo(TENANT.matcher(text).matches());
			assertThat(AuditEvent.isValidAction(text)).as("action '%s'", text)
				.isEqualTo(ACTION.matcher(text).matches());
		}
		assertThat(AuditEvent.isValidTenant(null)).isFalse();
	}

	@Test
	void metadataAddedOneByOneIsKeptAndTheBuiltEventDoesNotChangeAfterwards() {
		AuditEvent.Builder builder = AuditEvent.builder("acme", "inference.completed")
			.metadata("status", 200)
			.metadata("model", "base")
			.metadata("status", 201);
		AuditEvent event = builder.build();
		builder.metadata("later", true);
		assertThat(event.metadata()).containsOnly(Map.entry("status", 201L), Map.entry("model", "base"));
		assertThat(AuditEvent.builder("acme", "inference.completed").build().metadata()).isEmpty();
		assertThat(AuditEvent.builder("acme", "inference.completed")
			.metadata(Map.of("a", "b"))
			.metadata("c", "d")
			.build()
			.metadata()).containsOnly(Map.entry("a", "b"), Map.entry("c", "d"));
	}

	private static List<String> texts(String alphabet, int maxLength) {
		List<String> texts = new ArrayList<>(List.of(""));
		List<String> previous = List.of("");
		for (int length = 1; length <= maxLength; length++) {
			List<String> next = new ArrayList<>();
			for (String prefix : previous) {
				for (char c : alphabet.toCharArray()) {
					next.add(prefix + c);
				}
			}
			texts.addAll(next);
			previous = next;
		}
		return texts;
	}

}
