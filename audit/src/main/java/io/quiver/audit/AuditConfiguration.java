package io.quiver.audit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.quiver.audit.chain.JdbcChainAppender;
import io.quiver.audit.checkpoint.CheckpointCopy;
import io.quiver.audit.checkpoint.CheckpointKeys;
import io.quiver.audit.checkpoint.DirectoryCheckpointCopy;
import io.quiver.audit.checkpoint.JdbcCheckpoints;
import io.quiver.audit.query.JdbcAuditQueries;
import io.quiver.audit.retention.RetentionJob;
import io.quiver.audit.sink.AuditSink;
import io.quiver.audit.sink.HttpAuditSink;
import io.quiver.audit.trail.FileSpool;
import io.quiver.audit.trail.JdbcAuditTrail;
import io.quiver.audit.verify.ChainVerifier;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Wires the audit trail over the application's DataSource and transaction manager.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuditProperties.class)
class AuditConfiguration {

	@Bean
	JdbcChainAppender auditChainAppender(DataSource dataSource) {
		return new JdbcChainAppender(new JdbcTemplate(dataSource), Clock.systemUTC());
	}

	@Bean(destroyMethod = "close")
	FileSpool auditSpool(AuditProperties properties) {
		return FileSpool.open(properties.spoolDirectory());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnProperty("quiver.audit.siem.url")
	HttpAuditSink auditSiemSink(AuditProperties properties) {
		AuditProperties.Siem siem = properties.siem();
		return new HttpAuditSink(siem.url(), siem.headers(), siem.maxAttempts(), siem.initialBackoff(),
				siem.queueCapacity());
	}

	@Bean
	JdbcAuditTrail auditTrail(JdbcChainAppender appender, PlatformTransactionManager transactionManager,
			FileSpool spool, List<AuditSink> sinks, AuditProperties properties) {
		AuditProperties.Writer writer = properties.writer();
		return new JdbcAuditTrail(appender, transactionManager, spool, new ArrayList<>(sinks),
				new JdbcAuditTrail.Settings(writer.writers(), writer.batchSize(), writer.flushInterval(),
						writer.queueCapacity(), writer.retryInterval(), writer.drainTimeout()));
	}

	@Bean
	CheckpointKeys auditCheckpointKeys(AuditProperties properties) {
		AuditProperties.Signing signing = properties.signing();
		return CheckpointKeys.fromConfiguration(signing.activeKeyId(), signing.privateKeys(), signing.publicKeys(),
				properties.devKeyFile());
	}

	@Bean
	JdbcCheckpoints auditCheckpoints(DataSource dataSource, CheckpointKeys keys, AuditProperties properties) {
		List<CheckpointCopy> copies = new ArrayList<>();
		if (properties.checkpoint().copyDirectory() != null) {
			copies.add(new DirectoryCheckpointCopy(properties.checkpoint().copyDirectory()));
		}
		return new JdbcCheckpoints(new JdbcTemplate(dataSource), keys, copies, Clock.systemUTC());
	}

	@Bean
	ChainVerifier auditChainVerifier(DataSource dataSource, CheckpointKeys keys) {
		return new ChainVerifier(dataSource, keys);
	}

	@Bean
	JdbcAuditQueries auditQueries(DataSource dataSource) {
		return new JdbcAuditQueries(new JdbcTemplate(dataSource));
	}

	@Bean
	RetentionJob auditRetentionJob(DataSource dataSource, PlatformTransactionManager transactionManager,
			JdbcCheckpoints checkpoints, AuditTrail trail, AuditProperties properties) {
		return new RetentionJob(new JdbcTemplate(dataSource), transactionManager, checkpoints, trail,
				properties.retention().period(), Clock.systemUTC());
	}

	@Bean
	ClientAddressResolver auditClientAddressResolver(AuditProperties properties) {
		return new ClientAddressResolver(properties.trustedProxies());
	}

	@Bean
	AuditScheduler auditScheduler(JdbcCheckpoints checkpoints, RetentionJob retention, AuditTrail trail,
			CheckpointKeys keys, AuditProperties properties) {
		return new AuditScheduler(checkpoints, retention, trail, keys, properties);
	}

}
