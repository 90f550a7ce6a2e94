package io.quiver.audit.chain;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalJsonTests {

	@Test
	void whenKeysComeInAnyOrderThenOutputIsSortedWithoutWhitespace() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("b", 1);
		map.put("a", List.of("x", true));
		map.put("c", null);
		assertThat(CanonicalJson.write(JsonValues.normalize(map))).isEqualTo("{\"a\":[\"x\",true],\"b\":1,\"c\":null}");
	}

	@Test
	void whenTextHasControlCharactersThenTheyAreEscapedMinimally() {
		assertThat(CanonicalJson.write("a\"b\\c\nd\u0001é")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001é\"");
	}

	@Test
	void whenNumbersHaveDifferentFormsThenEqualValuesWriteTheSame() {
		assertThat(CanonicalJson.write(JsonValues.normalize(1.0))).isEqualTo("1");
		assertThat(CanonicalJson.write(JsonValues.normalize(new BigDecimal("12.500")))).isEqualTo("12.5");
		assertThat(CanonicalJson.write(JsonValues.normalize(12.5f))).isEqualTo("12.5");
		assertThat(CanonicalJson.write(JsonValues.normalize(1e20))).isEqualTo("100000000000000000000");
		assertThat(CanonicalJson.write(JsonValues.normalize(Double.NaN))).isEqualTo("\"NaN\"");
	}

	@Test
	void whenDocumentIsParsedBackThenItWritesTheSameBytes() {
		Map<String, Object> doc = JsonValues
			.normalizeMap(Map.of("tokens", 17, "latency", 0.1, "nested", Map.of("z", List.of(1, 2.5, "t"), "a", false),
					"big", 123456789012345678L, "text", "naïve \uD83D\uDE00"));
		String written = CanonicalJson.write(doc);
		assertThat(CanonicalJson.write(EventDocuments.parse(written))).isEqualTo(written);
	}

	@Test
	void whenTextHasNulOrLoneSurrogateThenItIsMadeStorable() {
		assertThat(JsonValues.text("a\0b\uD800c")).isEqualTo("ab\uFFFDc");
		assertThat(JsonValues.text("ok \uD83D\uDE00")).isEqualTo("ok \uD83D\uDE00");
	}

}
