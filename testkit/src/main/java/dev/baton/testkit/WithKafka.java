package dev.baton.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class the shared real KRaft broker and embedded schema registry of this JVM.
 * Declare a {@link TestCluster} parameter (constructor, lifecycle or test method) to use them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(BatonKafkaExtension.class)
public @interface WithKafka {}
