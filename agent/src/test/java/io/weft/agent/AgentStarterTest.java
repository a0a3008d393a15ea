package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.sdk.resources.Resource;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentStarterTest {

  @Test
  void buildInfoNamesTheBundledSdksVersionForTheResource() {
    Properties build = AgentStarter.buildInfo();
    // telemetry.sdk.version comes from here: the SDK's own package version, as its jar's manifest gives it
    assertEquals(Resource.class.getPackage().getImplementationVersion(), build.getProperty("opentelemetry.version"));
    assertEquals(AgentStarter.version(), build.getProperty("weft.version"));
  }
}
