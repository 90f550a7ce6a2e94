package io.quiver.tenancy.usage;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import io.quiver.tenancy.web.TenantPaths;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's metered usage per day ({@code /usage}).
 */
@RestController
class UsageController {

	private final UsageRepository usage;

	private final TenantPaths tenants;

	UsageController(UsageRepository usage, TenantPaths tenants) {
		this.usage = usage;
		this.tenants = tenants;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/usage")
	UsageReport daily(@PathVariable String tenant,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
		LocalDate last = (to != null) ? to : LocalDate.now(ZoneOffset.UTC);
		LocalDate first = (from != null) ? from : last.minusDays(30);
		UsageRepository.requireRange(first, last);
		List<DailyUsage> days = this.usage.daily(this.tenants.require(tenant).getId(), first, last);
		return new UsageReport(first, last, days.stream().mapToLong(DailyUsage::requests).sum(),
				days.stream().mapToLong(DailyUsage::promptTokens).sum(),
				days.stream().mapToLong(DailyUsage::completionTokens).sum(), days);
	}

	record UsageReport(LocalDate from, LocalDate to, long requests, long promptTokens, long completionTokens,
			List<DailyUsage> days) {
	}

}
