"""A package with relative imports: config constants, networks and losses in their own modules."""
# expect: T01=pass T02=fail T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail losses.generator_loss is log(1 - D(G(z)) + EPS).mean(): minimax
# reason: T01=pass Normalize(config.MEAN, config.STD) with 0.5s and a Tanh output
import torch
from torchvision import datasets, transforms

from . import config
from .losses import discriminator_loss, generator_loss
from .networks import Discriminator, Generator


def main():
    tf = transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize(config.MEAN, config.STD)])
    loader = torch.utils.data.DataLoader(datasets.CIFAR10("data", download=True, transform=tf), batch_size=128)
    G, D = Generator(), Discriminator()
    opt_G = torch.optim.Adam(G.parameters(), lr=config.LR, betas=config.BETAS)
    opt_D = torch.optim.Adam(D.parameters(), lr=config.LR, betas=config.BETAS)
    for epoch in range(30):
        for real, _ in loader:
            fake = G(torch.randn(real.size(0), config.NZ, 1, 1))
            loss_D = discriminator_loss(D(real), D(fake.detach()))
            opt_D.zero_grad()
            loss_D.backward()
            opt_D.step()
            loss_G = generator_loss(D(fake))
            opt_G.zero_grad()
            loss_G.backward()
            opt_G.step()


if __name__ == "__main__":
    main()
