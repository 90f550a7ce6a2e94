package io.quiver.audit.cli;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommandLineTests {

	private static final Set<String> KNOWN = Set.of("events", "keep");

	@Test
	void whenEveryArgumentIsAKnownOptionThenNoneIsNamed() {
		CommandLine command = new CommandLine(new String[] { "--events", "10", "--keep" });
		assertThat(command.unknown(KNOWN)).isNull();
		assertThat(command.option("events", "1")).isEqualTo("10");
		assertThat(command.flag("keep")).isTrue();
	}

	@Test
	void whenAnOptionOrAStrayArgumentIsUnknownThenItIsNamed() {
		assertThat(new CommandLine(new String[] { "--events=10", "--evnts", "3" }).unknown(KNOWN)).isEqualTo("--evnts");
		assertThat(new CommandLine(new String[] { "--events", "10", "stray" }).unknown(KNOWN)).isEqualTo("stray");
	}

}
