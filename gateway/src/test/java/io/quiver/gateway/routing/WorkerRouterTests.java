package io.quiver.gateway.routing;

import java.util.HashSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing rules, on workers with a given status and no network.
 */
class WorkerRouterTests {

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final WorkerRouter router = TestRouting.router(TestRouting.properties(), this.clock::get);

	@Test
	void whenBaseModelRequestThenLeastLoadedWorker() {
		Worker busy = TestRouting.worker("busy", "base");
		Worker idle = TestRouting.worker("idle", "base");
		TestRouting.load(busy, 5, 0.1);
		RoutingDecision decision = this.router.route(List.of(busy, idle), "base", null, null);
		assertThat(decision.worker()).isSameAs(idle);
		assertThat(decision.outcome()).isEqualTo(RouteOutcome.BASE);
	}

	@Test
	void whenIdleWorkersTieThenEachIsChosenAsOften() {
		// Three workers of the model, unevenly spaced among six of another: a tie must
		// not
		// go to whoever follows the longest gap.
		List<Worker> workers = new ArrayList<>();
		for (int i = 0; i < 9; i++) {
			workers.add(TestRouting.worker("w" + i, (i == 0 || i == 1 || i == 7) ? "base" : "other"));
		}
		Map<String, Integer> chosen = new HashMap<>();
		for (int i = 0; i < 3000; i++) {
			chosen.merge(this.router.route(workers, "base", null, null).worker().toString(), 1, Integer::sum);
		}
		assertThat(chosen).hasSize(3).allSatisfy((worker, count) -> assertThat(count).isBetween(800, 1200));
	}

	@Test
	void whenAWorkerHoldsTheAdapterAndHasRoomThenHit() {
		List<Worker> workers = TestRouting.pool(4, "base");
		Worker holder = workers.get(2);
		TestRouting.holds(holder, List.of("acme/bot@v1"));
		TestRouting.load(holder, 3, 0.5);
		RoutingDecision decision = this.router.route(workers, "base", "acme/bot@v1", null);
		assertThat(decision.outcome()).isEqualTo(RouteOutcome.HIT);
		assertThat(decision.worker()).isSameAs(holder);
	}

	@Test
	void whenTheHolderIsFullThenPlacedOnAHomeWorker() {
		List<Worker> workers = TestRouting.pool(4, "base");
		Worker holder = workers.get(0);
		TestRouting.holds(holder, List.of("acme/bot@v1"));
		TestRouting.load(holder, 1, 0.95);
		Worker[] homes = this.router.homes(workers, "base", "acme/bot@v1", null, 2);
		RoutingDecision decision = this.router.route(workers, "base", "acme/bot@v1", null);
		assertThat(decision.outcome()).isEqualTo(RouteOutcome.PLACED);
		assertThat(List.of(homes)).contains(decision.worker());
	}

	@Test
	void whenNoWorkerHoldsTheAdapterThenItGoesToItsHomesOnly() {
		List<Worker> workers = TestRouting.pool(8, "base");
		Set<Worker> chosen = new HashSet<>();
		for (int i = 0; i < 200; i++) {
			chosen.add(this.router.route(workers, "base", "acme/bot@v1", null).worker());
		}
		assertThat(List.of(this.router.homes(workers, "base", "acme/bot@v1", null, 2))).containsAll(chosen);
	}

	@Test
	void whenEveryHomeIsFullThenSpilledToTheLeastLoaded() {
		List<Worker> workers = TestRouting.pool(4, "base");
		for (Worker home : this.router.homes(workers, "base", "acme/bot@v1", null, 2)) {
			TestRouting.load(home, 100, 0.2);
		}
		RoutingDecision decision = this.router.route(workers, "base", "acme/bot@v1", null);
		assertThat(decision.outcome()).isEqualTo(RouteOutcome.SPILLED);
		assertThat(decision.worker().status().queueDepth()).isZero();
	}

	@Test
	void whenAWorkerJoinsThenFewAdaptersChangeHomes() {
		List<Worker> four = TestRouting.pool(4, "base");
		List<Worker> five = new java.util.ArrayList<>(four);
		five.add(TestRouting.worker("w4", "base"));
		int moved = 0;
		for (int i = 0; i < 1000; i++) {
			String adapter = "t/a" + i + "@v1";
			if (this.router.homes(four, "base", adapter, null, 1)[0] != this.router.homes(five, "base", adapter, null,
					1)[0]) {
				moved++;
			}
		}
		// Rendezvous hashing moves about 1/5 of the adapters to the new worker, and no
		// others.
		assertThat(moved).isBetween(120, 280);
	}

	@Test
	void whenAnAdapterIsHotThenItGetsMoreHomes() {
		List<Worker> workers = TestRouting.pool(8, "base");
		assertThat(this.router.homeCount("acme/hot@v1")).isEqualTo(2);
		for (int i = 0; i < 400; i++) {
			this.router.route(workers, "base", "acme/hot@v1", null);
		}
		// 400 requests in one 5 s window are 80 req/s: 4 homes at 20 req/s each.
		assertThat(this.router.homeCount("acme/hot@v1")).isEqualTo(4);
		this.clock.addAndGet(20_000_000_000L);
		assertThat(this.router.homeCount("acme/hot@v1")).isEqualTo(2);
	}

	@Test
	void whenWorkersAreExcludedDownOrOfAnotherModelThenTheyAreSkipped() {
		Worker tried = TestRouting.worker("tried", "base");
		Worker down = TestRouting.worker("down", "base");
		down.markDown();
		Worker other = TestRouting.worker("other", "other-base");
		Worker left = TestRouting.worker("left", "base");
		List<Worker> workers = List.of(tried, down, other, left);
		assertThat(this.router.route(workers, "base", null, List.of(tried)).worker()).isSameAs(left);
		assertThat(this.router.route(workers, "base", null, List.of(tried, left))).isNull();
	}

	@Test
	void whenCircuitIsOpenThenWorkerIsNotReady() {
		Worker broken = TestRouting.worker("broken", "base");
		Worker fine = TestRouting.worker("fine", "base");
		broken.breaker().transitionToOpenState();
		for (int i = 0; i < 20; i++) {
			assertThat(this.router.route(List.of(broken, fine), "base", null, null).worker()).isSameAs(fine);
		}
	}

}
