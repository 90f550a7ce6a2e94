package io.quiver.gateway.openai;

import java.util.Locale;

import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Mounts the generation endpoints as their own servlet, beside Spring MVC's dispatcher
 * (an exact path mapping wins over the dispatcher's {@code /}).
 */
@Configuration(proxyBeanMethods = false)
class OpenAiConfiguration {

	@Bean
	ServletRegistrationBean<InferenceServlet> chatCompletionsServlet(InferenceForwarder forwarder) {
		return registration(new InferenceServlet(forwarder, InferenceEndpoint.CHAT), InferenceEndpoint.CHAT);
	}

	@Bean
	ServletRegistrationBean<InferenceServlet> completionsServlet(InferenceForwarder forwarder) {
		return registration(new InferenceServlet(forwarder, InferenceEndpoint.COMPLETIONS),
				InferenceEndpoint.COMPLETIONS);
	}

	private static ServletRegistrationBean<InferenceServlet> registration(InferenceServlet servlet,
			InferenceEndpoint endpoint) {
		ServletRegistrationBean<InferenceServlet> registration = new ServletRegistrationBean<>(servlet,
				endpoint.path());
		registration.setName("openai-" + endpoint.name().toLowerCase(Locale.ROOT));
		registration.setLoadOnStartup(1);
		registration.setAsyncSupported(true);
		return registration;
	}

}
