package io.quiver.gateway.console;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.quiver.gateway.console.ConsoleOverview.Bar;
import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.apikey.ApiKey;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.usage.DailyUsage;
import io.quiver.tenancy.usage.UsageRepository;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Metered usage from the daily roll-up the admin API reads ({@link UsageRepository}): per
 * day with a chart, per key and per adapter, over a date range, and as CSV.
 */
@Controller
class ConsoleUsageController {

	private static final int DEFAULT_DAYS = 30;

	private final ConsoleTenants tenants;

	private final UsageRepository usage;

	private final ApiKeyService keys;

	ConsoleUsageController(ConsoleTenants tenants, UsageRepository usage, ApiKeyService keys) {
		this.tenants = tenants;
		this.usage = usage;
		this.keys = keys;
	}

	@GetMapping("/console/t/{tenantSlug}/usage")
	String page(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(required = false) String from, @RequestParam(required = false) String to, Model model,
			HttpServletResponse response) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.USAGE_READ);
		model.addAttribute("tenant", owner);
		model.addAttribute("page", "usage");
		model.addAttribute("from", from);
		model.addAttribute("to", to);
		Range range;
		try {
			range = range(owner, from, to);
		}
		catch (IllegalArgumentException ex) {
			response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
			model.addAttribute("error", ex.getMessage());
			return "console/usage";
		}
		LocalDate first = range.first();
		LocalDate last = range.last();
		List<DailyUsage> rows = range.rows();
		Map<String, String> keyNames = new LinkedHashMap<>();
		for (ApiKey key : this.keys.list(owner.getId())) {
			keyNames.put(key.getPublicId(), key.getName());
		}
		List<Row> days = new ArrayList<>();
		Map<String, Row> perDay = group(rows, (row) -> row.day().toString());
		for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
			days.add(perDay.getOrDefault(day.toString(), new Row(day.toString(), 0, 0, 0, 0)));
		}
		long peak = Math.max(1, days.stream().mapToLong(Row::tokens).max().orElse(0));
		model.addAttribute("first", first);
		model.addAttribute("last", last);
		model.addAttribute("days", days);
		model.addAttribute("chart",
				days.stream()
					.map((day) -> new Bar(day.label(), day.tokens(), (int) (day.tokens() * 100 / peak)))
					.toList());
		model.addAttribute("perKey", sorted(group(rows, DailyUsage::apiKey)));
		model.addAttribute("perAdapter", sorted(group(rows, DailyUsage::adapter)));
		model.addAttribute("keyNames", keyNames);
		model.addAttribute("total", days.stream().reduce(new Row("total", 0, 0, 0, 0), Row::plus));
		return "console/usage";
	}

	@GetMapping("/console/t/{tenantSlug}/usage/export")
	ResponseEntity<byte[]> export(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(required = false) String from, @RequestParam(required = false) String to) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.USAGE_READ);
		Range range;
		try {
			range = range(owner, from, to);
		}
		catch (IllegalArgumentException ex) {
			return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT)
				.contentType(MediaType.TEXT_PLAIN)
				.body(ex.getMessage().getBytes(StandardCharsets.UTF_8));
		}
		LocalDate first = range.first();
		LocalDate last = range.last();
		List<DailyUsage> rows = range.rows();
		StringBuilder csv = new StringBuilder(
				"day,api_key,adapter,requests,errors,prompt_tokens,completion_tokens\r\n");
		for (DailyUsage row : rows) {
			csv.append(row.day())
				.append(',')
				.append(csvField(row.apiKey()))
				.append(',')
				.append(csvField(row.adapter()))
				.append(',')
				.append(row.requests())
				.append(',')
				.append(row.errors())
				.append(',')
				.append(row.promptTokens())
				.append(',')
				.append(row.completionTokens())
				.append("\r\n");
		}
		return ResponseEntity.ok()
			.contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
			.header("Content-Disposition",
					"attachment; filename=\"usage-" + owner.getSlug() + "-" + first + "-" + last + ".csv\"")
			.body(csv.toString().getBytes(StandardCharsets.UTF_8));
	}

	private static LocalDate day(String value, LocalDate otherwise) {
		if (value == null || value.isBlank()) {
			return otherwise;
		}
		try {
			return LocalDate.parse(value.trim());
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException("Dates must read YYYY-MM-DD.");
		}
	}

	private static Map<String, Row> group(List<DailyUsage> rows, Function<DailyUsage, String> by) {
		Map<String, Row> groups = new LinkedHashMap<>();
		for (DailyUsage row : rows) {
			groups.merge(by.apply(row),
					new Row(by.apply(row), row.requests(), row.errors(), row.promptTokens(), row.completionTokens()),
					Row::plus);
		}
		return groups;
	}

	private static List<Row> sorted(Map<String, Row> groups) {
		return groups.values().stream().sorted(Comparator.comparingLong(Row::tokens).reversed()).toList();
	}

	/**
	 * CSV as RFC 4180 writes it, and never a formula a spreadsheet would run.
	 */
	private static String csvField(String value) {
		String text = (value != null) ? value : "";
		if (!text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0) {
			text = "'" + text;
		}
		if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
			text = "\"" + text.replace("\"", "\"\"") + "\"";
		}
		return text;
	}

	/**
	 * One line of a usage table.
	 *
	 * @param label the day, key public id or adapter id; empty for none
	 * @param requests requests received
	 * @param errors requests that failed
	 * @param promptTokens prompt tokens
	 * @param completionTokens completion tokens
	 */
	record Row(String label, long requests, long errors, long promptTokens, long completionTokens) {

		public long tokens() {
			return this.promptTokens + this.completionTokens;
		}

		Row plus(Row other) {
			return new Row(this.label, this.requests + other.requests, this.errors + other.errors,
					this.promptTokens + other.promptTokens, this.completionTokens + other.completionTokens);
		}

	}

	/**
	 * The days asked for (the last {@value #DEFAULT_DAYS} up to today by default) and
	 * their daily usage.
	 * @throws IllegalArgumentException if a day is malformed or the range not allowed
	 */
	private Range range(Tenant owner, String from, String to) {
		LocalDate last = day(to, LocalDate.now(ZoneOffset.UTC));
		LocalDate first = day(from, last.minusDays(DEFAULT_DAYS - 1));
		UsageRepository.requireRange(first, last);
		return new Range(first, last, this.usage.daily(owner.getId(), first, last));
	}

	private record Range(LocalDate first, LocalDate last, List<DailyUsage> rows) {
	}

}
