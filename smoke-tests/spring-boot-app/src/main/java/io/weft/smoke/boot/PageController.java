package io.weft.smoke.boot;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.servlet.View;
import org.springframework.web.servlet.view.BeanNameViewResolver;

/** A handler that names a view, and the view: a bean found by its name, which writes the page as text. */
@Controller
public class PageController {

  @GetMapping("/page")
  public String page() {
    return "greeting";
  }

  /** Views by bean name first, whatever else Boot configures. */
  @Bean
  public static BeanNameViewResolver viewsByBeanName() {
    BeanNameViewResolver resolver = new BeanNameViewResolver();
    resolver.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return resolver;
  }

  @Bean("greeting")
  public static View greeting() {
    return new View() {
      @Override
      public String getContentType() {
        return "text/plain";
      }

      @Override
      public void render(Map<String, ?> model, HttpServletRequest request, HttpServletResponse response) throws Exception {
        response.setContentType("text/plain");
        response.getWriter().write("greeting page");
      }
    };
  }
}
