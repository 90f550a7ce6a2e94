package io.quiver.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Quiver gateway: the OpenAI-compatible, multi-tenant front door to the inference
 * workers.
 */
@SpringBootApplication(scanBasePackages = { "io.quiver.gateway", "io.quiver.tenancy", "io.quiver.audit" })
// JPA repositories and entities live in the modules the gateway assembles; the worker is
// a
// separate application and is never scanned, even where its classes are on a test
// classpath.
@AutoConfigurationPackage(basePackages = { "io.quiver.tenancy", "io.quiver.audit" })
@ConfigurationPropertiesScan({ "io.quiver.gateway", "io.quiver.tenancy", "io.quiver.audit" })
public class GatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(GatewayApplication.class, args);
	}

}
