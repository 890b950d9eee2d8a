/**
 * The Java step API of Baton: implement {@link dev.baton.sdk.StepHandler}, register it with
 * {@link java.util.ServiceLoader}, and run it with a {@code java} action. Depends on SLF4J only.
 */
package dev.baton.sdk;
