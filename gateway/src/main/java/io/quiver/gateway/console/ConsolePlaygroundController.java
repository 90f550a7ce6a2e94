package io.quiver.gateway.console;

import java.io.IOException;

import io.quiver.gateway.openai.InferenceForwarder;
import io.quiver.gateway.routing.WorkerPool;
import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.adapter.Adapter;
import io.quiver.tenancy.adapter.AdapterService;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The playground: a chat box whose requests take the gateway's own {@code /v1} path
 * (validation, routing, relay, audit) as the signed-in user acting in the opened tenant,
 * so what it shows is what the tenant's apps get. Its model is a base model or one of the
 * tenant's adapters, by name.
 */
@Controller
class ConsolePlaygroundController {

	private final ConsoleTenants tenants;

	private final InferenceForwarder forwarder;

	private final WorkerPool pool;

	private final AdapterService adapters;

	ConsolePlaygroundController(ConsoleTenants tenants, InferenceForwarder forwarder, WorkerPool pool,
			AdapterService adapters) {
		this.tenants = tenants;
		this.forwarder = forwarder;
		this.pool = pool;
		this.adapters = adapters;
	}

	/**
	 * @param selected a model or adapter to preselect, e.g. from an adapter's page
	 */
	@GetMapping("/console/t/{tenantSlug}/playground")
	String page(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(name = "model", required = false) String selected, Model model) {
		Tenant opened = this.tenants.open(caller, tenant, ApiKeyService.INFERENCE);
		model.addAttribute("tenant", opened);
		model.addAttribute("models", this.pool.models().stream().sorted().toList());
		// By name, as the tenant's apps ask for them: the name gets the default version.
		model.addAttribute("adapters", this.adapters.list(opened).stream().map(Adapter::getName).toList());
		model.addAttribute("selected", selected);
		model.addAttribute("page", "playground");
		return "console/playground";
	}

	@PostMapping(path = "/console/t/{tenantSlug}/playground/chat", consumes = MediaType.APPLICATION_JSON_VALUE)
	void chat(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			HttpServletRequest request, HttpServletResponse response) throws IOException {
		Tenant opened = this.tenants.open(caller, tenant, ApiKeyService.INFERENCE);
		// The user keeps their identity and scopes; only the tenant is the one they
		// opened
		// (their own, or any for a platform admin), so usage and audit land there.
		Caller acting = new Caller(opened.getId(), opened.getSlug(), caller.subject(), null, caller.method(),
				caller.scopes());
		this.forwarder.chat(acting, request, response);
	}

}
