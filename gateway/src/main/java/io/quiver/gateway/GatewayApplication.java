package io.quiver.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Quiver gateway: the OpenAI-compatible, multi-tenant front door to the inference
 * workers.
 */
@SpringBootApplication(scanBasePackages = "io.quiver")
// Repositories and entities of every Quiver module (tenancy, audit) live under io.quiver,
// not under this package.
@AutoConfigurationPackage(basePackages = "io.quiver")
@ConfigurationPropertiesScan("io.quiver")
public class GatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(GatewayApplication.class, args);
	}

}
