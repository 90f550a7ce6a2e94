package io.quiver.worker.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.quiver.worker.kvcache.BlockAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Table-driven runs of the scheduler without a model: each case adds sequences, then
 * steps, and compares every plan with the expected one. A plan is written as
 * {@code id@start+rows} per sequence in row order, {@code *} when it samples, and
 * {@code !id} for a preemption; every sampling sequence draws token 7, and a sequence
 * named in the finish list ends after that step.
 */
class SchedulerTests {

	static Stream<Arguments> cases() {
		return Stream.of(
				Arguments.of("chunked prefill shares the budget with decodes", 2, 8, 4, 100,
						List.of(seq(1, 10), seq(2, 3), seq(3, 2)),
						List.of(step("1@0+8"), step("1@8+2* 2@0+3*"), step("1@10+1* 2@3+1*", 2), step("1@11+1* 3@0+2*"),
								step("1@12+1* 3@2+1*"))),
				Arguments.of("a prompt of one token decodes at once", 4, 8, 4, 100, List.of(seq(1, 1), seq(2, 5)),
						List.of(step("1@0+1* 2@0+5*"), step("1@1+1* 2@5+1*", 1), step("2@6+1*"))),
				Arguments.of("decodes are grouped by adapter", 4, 16, 4, 100,
						List.of(seq(1, 2, "b"), seq(2, 2, null), seq(3, 2, "a"), seq(4, 2, "b")),
						List.of(step("1@0+2* 2@0+2* 3@0+2* 4@0+2*"), step("2@2+1* 3@2+1* 1@2+1* 4@2+1*"))),
				Arguments.of("the newest sequence is preempted when blocks run out and recomputed later", 4, 8, 2, 3,
						List.of(seq(1, 3), seq(2, 1)), List.of(step("2@0+1* 1@0+3*"), step("1@3+1* 2@1+1*"),
								step("1@4+1* !2", 1), step("2@0+3*"), step("2@3+1*"))));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void whenSequencesRunThenEveryPlanIsTheExpectedOne(String name, int maxRunning, int maxBatchTokens, int blockSize,
			int blocks, List<Seq> sequences, List<Step> steps) {
		BlockAllocator allocator = new BlockAllocator(blockSize, blocks);
		Scheduler scheduler = new Scheduler(new SchedulerConfig(maxRunning, maxBatchTokens, 16), allocator);
		for (Seq s : sequences) {
			assertThat(scheduler.add(s.id, new int[s.prompt], s.adapter)).isTrue();
		}
		for (Step step : steps) {
			StepPlan plan = scheduler.schedule();
			assertThat(describe(plan)).isEqualTo(step.expected);
			Map<Long, Integer> sampled = new HashMap<>();
			for (ScheduledSequence s : plan.sequences()) {
				assertThat(s.blockTable().length * blockSize).isGreaterThanOrEqualTo(s.start() + s.tokens().length);
				if (s.samples()) {
					sampled.put(s.id(), 7);
				}
			}
			scheduler.update(plan, sampled, new HashSet<>(step.finish));
		}
	}

	@Test
	void whenAllSequencesFinishThenEveryBlockIsFree() {
		BlockAllocator allocator = new BlockAllocator(4, 10);
		Scheduler scheduler = new Scheduler(new SchedulerConfig(4, 8, 4), allocator);
		scheduler.add(1, new int[5], null);
		scheduler.add(2, new int[3], null);
		StepPlan plan = scheduler.schedule();
		assertThat(scheduler.kvUsage()).isPositive();
		scheduler.update(plan, Map.of(1L, 7, 2L, 7), Set.of(1L, 2L));
		assertThat(allocator.freeBlocks()).isEqualTo(10);
		assertThat(scheduler.isIdle()).isTrue();
	}

	@Test
	void whenTheQueueIsFullThenAddIsRefusedAndAnOversizedPromptIsRejected() {
		Scheduler scheduler = new Scheduler(new SchedulerConfig(1, 4, 1), new BlockAllocator(4, 2));
		assertThat(scheduler.add(1, new int[2], null)).isTrue();
		assertThat(scheduler.add(2, new int[2], null)).isTrue();
		assertThat(scheduler.add(4, new int[2], null)).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> scheduler.add(3, new int[8], null));
	}

	@Test
	void whenASequenceIsAbortedThenItsBlocksReturn() {
		BlockAllocator allocator = new BlockAllocator(4, 10);
		Scheduler scheduler = new Scheduler(new SchedulerConfig(4, 8, 4), allocator);
		scheduler.add(1, new int[6], null);
		scheduler.schedule();
		assertThat(scheduler.abort(1)).isTrue();
		assertThat(allocator.freeBlocks()).isEqualTo(10);
		assertThat(scheduler.abort(1)).isFalse();
	}

	@Test
	void whenChoicesShareAPromptThenItIsComputedOnceAndItsBlocksAreHeldOnce() {
		BlockAllocator allocator = new BlockAllocator(4, 32);
		Scheduler scheduler = new Scheduler(new SchedulerConfig(8, 32, 8), allocator);
		int[] prompt = new int[10];
		scheduler.add(1, prompt, null);
		scheduler.add(2, prompt, null, 1);
		scheduler.add(3, prompt, null, 1);
		StepPlan first = scheduler.schedule();
		assertThat(describe(first)).isEqualTo("1@0+10*");
		assertThat(used(allocator)).isEqualTo(3);
		scheduler.update(first, Map.of(1L, 7), Set.of());
		StepPlan second = scheduler.schedule();
		// the prompt's two full blocks (8 tokens) are taken, the last two prompt tokens
		// computed by each choice
		assertThat(describe(second)).isEqualTo("1@10+1* 2@8+2* 3@8+2*");
		int[] one = second.sequences().get(0).blockTable();
		for (ScheduledSequence s : second.sequences()) {
			assertThat(s.blockTable()).startsWith(one[0], one[1]).hasSize(3);
		}
		assertThat(allocator.holders(one[0])).isEqualTo(3);
		assertThat(allocator.holders(one[2])).isEqualTo(1);
		// two shared blocks plus one of each choice's own, where three unshared prompts
		// would hold nine
		assertThat(used(allocator)).isEqualTo(5);
		scheduler.update(second, Map.of(1L, 7, 2L, 7, 3L, 7), Set.of(1L));
		assertThat(used(allocator)).isEqualTo(4);
		assertThat(allocator.holders(one[0])).isEqualTo(2);
		StepPlan third = scheduler.schedule();
		assertThat(describe(third)).isEqualTo("2@10+1* 3@10+1*");
		scheduler.update(third, Map.of(2L, 7, 3L, 7), Set.of(2L, 3L));
		assertThat(allocator.freeBlocks()).isEqualTo(32);
	}

	@Test
	void whenTheSharedPromptsOwnerIsGoneThenTheOtherChoicesComputeItThemselves() {
		BlockAllocator allocator = new BlockAllocator(4, 32);
		Scheduler scheduler = new Scheduler(new SchedulerConfig(8, 32, 8), allocator);
		int[] prompt = new int[10];
		scheduler.add(1, prompt, null);
		scheduler.add(2, prompt, null, 1);
		StepPlan first = scheduler.schedule();
		scheduler.update(first, Map.of(1L, 7), Set.of(1L));
		assertThat(describe(scheduler.schedule())).isEqualTo("2@0+10*");
	}

	@Test
	void whenAPromptFitsInLessThanOneFullBlockThenNothingIsSharedOrAwaited() {
		BlockAllocator allocator = new BlockAllocator(4, 32);
		Scheduler scheduler = new Scheduler(new SchedulerConfig(8, 32, 8), allocator);
		int[] prompt = new int[4];
		scheduler.add(1, prompt, null);
		scheduler.add(2, prompt, null, 1);
		assertThat(describe(scheduler.schedule())).isEqualTo("1@0+4* 2@0+4*");
	}

	private static int used(BlockAllocator allocator) {
		return allocator.totalBlocks() - allocator.freeBlocks();
	}

	private static String describe(StepPlan plan) {
		List<String> parts = new ArrayList<>();
		for (ScheduledSequence s : plan.sequences()) {
			parts.add(s.id() + "@" + s.start() + "+" + s.tokens().length + (s.samples() ? "*" : ""));
		}
		for (long id : plan.preempted()) {
			parts.add("!" + id);
		}
		return String.join(" ", parts);
	}

	record Seq(long id, int prompt, String adapter) {
	}

	record Step(String expected, List<Long> finish) {
	}

	static Seq seq(long id, int prompt) {
		return new Seq(id, prompt, null);
	}

	static Seq seq(long id, int prompt, String adapter) {
		return new Seq(id, prompt, adapter);
	}

	static Step step(String expected, long... finish) {
		List<Long> ids = new ArrayList<>();
		for (long f : finish) {
			ids.add(f);
		}
		return new Step(expected, ids);
	}

}
