package io.quiver.gateway.openai;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits on what the OpenAI API accepts.
 *
 * @param maxRequestSize the largest request body accepted; larger ones get 413
 */
@ConfigurationProperties("quiver.gateway")
record GatewayProperties(@DefaultValue("2MB") DataSize maxRequestSize) {
}
