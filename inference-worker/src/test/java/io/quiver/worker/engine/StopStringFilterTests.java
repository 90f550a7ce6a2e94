package io.quiver.worker.engine;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

class StopStringFilterTests {

	static Stream<Arguments> cases() {
		return Stream.of(
				Arguments.of(List.of("###"), List.of("ab", "c#", "#", "#tail"), List.of("ab", "c", "", ""), true),
				Arguments.of(List.of("end"), List.of("we sen", "d it"), List.of("we s", ""), true),
				Arguments.of(List.of("end"), List.of("e", "n", "x"), List.of("", "", "enx"), false),
				Arguments.of(List.of(), List.of("free", " text"), List.of("free", " text"), false),
				Arguments.of(List.of("b", "abc"), List.of("xab"), List.of("xa"), true));
	}

	@ParameterizedTest
	@MethodSource("cases")
	void whenTextArrivesThenNoPartOfAStopStringIsEmitted(List<String> stops, List<String> pushes, List<String> emitted,
			boolean stopped) {
		StopStringFilter filter = new StopStringFilter(stops);
		for (int i = 0; i < pushes.size(); i++) {
			assertThat(filter.push(pushes.get(i))).as("push %d", i).isEqualTo(emitted.get(i));
		}
		assertThat(filter.stopped()).isEqualTo(stopped);
	}

}
