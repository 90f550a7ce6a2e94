package io.quiver.gateway.security;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The firewall's header rules judge every character exactly as Spring Security's default
 * patterns do.
 */
class HeaderCharactersTests {

	private static final Pattern NAME = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

	private static final Pattern VALUE = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

	@Test
	void everyCharacterIsJudgedAsByTheDefaultPatterns() {
		for (int c = 0; c <= Character.MAX_VALUE; c++) {
			String text = "x-" + (char) c + "-y";
			assertThat(HeaderCharacters.NAME.test(text)).as("name with U+%04X", c)
				.isEqualTo(NAME.matcher(text).matches());
			assertThat(HeaderCharacters.VALUE.test(text)).as("value with U+%04X", c)
				.isEqualTo(VALUE.matcher(text).matches());
		}
	}

	@Test
	void supplementaryCodePointsAndLoneSurrogatesAreJudgedAsByTheDefaultPatterns() {
		int[] codePoints = { 0x1F600, 0x10000, 0xE0001, 0x2FFFF, 0x10FFFF, 0xF0000 };
		for (int codePoint : codePoints) {
			String text = "v" + Character.toString(codePoint) + "\t";
			assertThat(HeaderCharacters.VALUE.test(text)).as("value with U+%X", codePoint)
				.isEqualTo(VALUE.matcher(text).matches());
			assertThat(HeaderCharacters.NAME.test(text)).as("name with U+%X", codePoint)
				.isEqualTo(NAME.matcher(text).matches());
		}
		String lone = "a" + (char) 0xD800 + "b";
		assertThat(HeaderCharacters.NAME.test(lone)).isEqualTo(NAME.matcher(lone).matches());
	}

	@Test
	void plainHeadersPassAndLineBreaksDoNot() {
		assertThat(HeaderCharacters.NAME.test("Authorization")).isTrue();
		assertThat(HeaderCharacters.VALUE.test("Bearer qvr_abc\tdef")).isTrue();
		assertThat(HeaderCharacters.NAME.test("x\ty")).isFalse();
		assertThat(HeaderCharacters.VALUE.test("a\r\nSet-Cookie: b")).isFalse();
		assertThat(HeaderCharacters.VALUE.test("a\u0000b")).isFalse();
		assertThat(HeaderCharacters.VALUE.test("a\u0085b")).isFalse();
	}

}
