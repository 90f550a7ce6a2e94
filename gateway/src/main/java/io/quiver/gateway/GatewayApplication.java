package io.quiver.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Quiver gateway: the OpenAI-compatible, multi-tenant front door to the inference
 * workers.
 */
@SpringBootApplication(scanBasePackages = "io.quiver")
public class GatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(GatewayApplication.class, args);
	}

}
