"""G with nn.Dropout is switched to eval inside a sampling helper that receives it as an argument."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=fail
# reason: T17=fail generate(generator, n) calls generator.eval(), switching G's dropout off
import torch
import torch.nn as nn

generator = nn.Sequential(nn.Linear(16, 128), nn.LeakyReLU(0.2), nn.Dropout(0.25), nn.Linear(128, 32), nn.Tanh())
discriminator = nn.Sequential(nn.Linear(32, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
g_opt = torch.optim.Adam(generator.parameters(), 2e-4)
d_opt = torch.optim.Adam(discriminator.parameters(), 2e-4)
bce = nn.BCEWithLogitsLoss()


@torch.no_grad()
def generate(generator, n):
    generator.eval()
    out = generator(torch.randn(n, 16))
    generator.train()
    return out


records = torch.load("records32.pt")
for epoch in range(100):
    for real in records.split(64):
        fake = generator(torch.randn(real.size(0), 16))
        d_loss = bce(discriminator(real), torch.ones(real.size(0), 1)) + bce(discriminator(fake.detach()), torch.zeros(real.size(0), 1))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        g_loss = bce(discriminator(fake), torch.ones(real.size(0), 1))
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
    preview = generate(generator, 8)
