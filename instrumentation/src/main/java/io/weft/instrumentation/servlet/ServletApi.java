package io.weft.instrumentation.servlet;

/**
 * The two servlet APIs Weft weaves: the same interfaces under {@code javax.servlet} (3.0 to 4.0) and
 * {@code jakarta.servlet} (5.0 to 6.1). Names only, so nothing here loads a servlet class. Agent class
 * loader.
 */
enum ServletApi {
  JAVAX("javax.servlet"),
  JAKARTA("jakarta.servlet");

  final String servlet;
  final String filter;
  final String filterChain;
  final String servletRequest;
  final String servletResponse;
  final String asyncContext;
  final String httpServletRequest;

  ServletApi(String pkg) {
    this.servlet = pkg + ".Servlet";
    this.filter = pkg + ".Filter";
    this.filterChain = pkg + ".FilterChain";
    this.servletRequest = pkg + ".ServletRequest";
    this.servletResponse = pkg + ".ServletResponse";
    this.asyncContext = pkg + ".AsyncContext";
    this.httpServletRequest = pkg + ".http.HttpServletRequest";
  }
}
