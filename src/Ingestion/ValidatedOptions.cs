using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Options as ASP.NET documents them: bound from their configuration section, checked by the options
/// class's own Validate method and validated when the host starts, so that a misconfigured gateway or
/// silo stops at once with that method's message (as an <see cref="OptionsValidationException"/>)
/// instead of failing on first use.
/// </summary>
public static class ValidatedOptions
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>; <paramref name="validate"/> throws <see cref="ArgumentException"/> on a bad value.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section, Action<T> validate)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new ByMethod<T>(validate));
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    private sealed class ByMethod<T>(Action<T> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            try
            {
                validate(options);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
